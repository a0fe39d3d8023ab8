// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPaymentChannels} from "../../../contracts/interfaces/IPaymentChannels.sol";
import {IReceiptFeedbackGateway} from "../../../contracts/interfaces/IReceiptFeedbackGateway.sol";
import {GatewayFixture} from "../utils/GatewayFixture.sol";

/// Three clients, each with a channel to one agent, submit receipts of random amounts (within
/// the deposit or above it, newer or older than the last used), top up and revoke, while the
/// agent claims; ghost totals say what should have counted.
contract ReceiptFeedbackGatewayHandler is GatewayFixture {
    uint256 public constant PAYERS = 3;
    uint256 constant DEPOSIT = 100 * PRICE;

    uint256 public agentId;
    uint256 providerKey;
    address[PAYERS] public payers;
    uint256[PAYERS] payerKeys;
    IPaymentChannels.ChannelKey[PAYERS] keys;
    uint64[PAYERS] calls;

    /// Sum of the amounts recorded for each channel's accepted feedback.
    mapping(bytes32 channelId => uint256) public ghostPaid;
    uint256 public accepted;
    /// Feedback accepted that should not have been, or refused that should have counted.
    uint256 public violations;

    constructor() {
        deployGateway();
        address owner = makeAddr("agent owner");
        address provider;
        (provider, providerKey) = makeAddrAndKey("provider");
        agentId = registerAs(owner, "ipfs://agent");
        proveWallet(agentId, providerKey);
        for (uint256 i; i < PAYERS; i++) {
            (payers[i], payerKeys[i]) = makeAddrAndKey(string.concat("payer", vm.toString(i)));
            fund(payers[i], 1e12);
            keys[i] = openChannel(payers[i], provider, DEPOSIT);
        }
    }

    function channelId(uint256 i) public view returns (bytes32) {
        return channels.channelIdOf(keys[i]);
    }

    // ---- views for the invariants ----

    function depositOf(uint256 i) external view returns (uint256) {
        return channels.getChannel(channelId(i)).deposit;
    }

    function countedOf(uint256 i) external view returns (uint256) {
        return gateway.countedOf(channelId(i));
    }

    /// The gateway's feedback for the agent: given in all, unrevoked per the registry's summary,
    /// and unrevoked per the gateway's paid summary.
    function feedbackCounts() external view returns (uint64 given, uint64 summarized, uint64 paidSummarized) {
        address[] memory gatewayOnly = new address[](1);
        gatewayOnly[0] = address(gateway);
        given = reputation.getLastIndex(agentId, address(gateway));
        (summarized,,) = reputation.getSummary(agentId, gatewayOnly, "", "");
        (paidSummarized,,,) = gateway.getPaidSummary(agentId, "");
    }

    /// A receipt for `amount` (up to 1.5 deposits); counts exactly when it is within the
    /// channel's funds and above what the channel counted.
    function give(uint256 payerSeed, uint256 amount, int128 value) external {
        uint256 i = payerSeed % PAYERS;
        IPaymentChannels.Channel memory c = channels.getChannel(channelId(i));
        amount = bound(amount, 0, c.deposit + c.deposit / 2);
        value = int128(bound(value, -100, 100));
        IReceiptFeedbackGateway.Agreement memory a = agreementOf(keys[i], 7);
        IReceiptFeedbackGateway.Receipt memory r = receiptOf(keys[i], a, ++calls[i], amount);
        bytes memory signature = signReceipt(providerKey, r);
        uint256 counted = gateway.countedOf(r.channelId);
        bool legal = amount > counted && amount <= c.deposit;
        vm.prank(payers[i]);
        try gateway.giveFeedback(agentId, feedbackOf(value), keys[i], a, r, signature) returns (uint64 index) {
            if (!legal) return _violation();
            ++accepted;
            ghostPaid[r.channelId] += gateway.paymentOf(agentId, index).amount;
        } catch {
            if (legal) _violation();
        }
    }

    function topUp(uint256 payerSeed, uint256 amount) external {
        uint256 i = payerSeed % PAYERS;
        vm.prank(payers[i]);
        channels.topUp(keys[i], bound(amount, 1, DEPOSIT));
    }

    /// The agent claims what the newest counted receipt says (vouchers would say the same).
    function claim(uint256 payerSeed) external {
        uint256 i = payerSeed % PAYERS;
        bytes32 id = channelId(i);
        uint256 amount = gateway.countedOf(id);
        if (amount <= channels.getChannel(id).claimed) return;
        bytes32 termsHash = termsHashOf(agreementOf(keys[i], 7));
        vm.prank(keys[i].payee);
        channels.claim(
            keys[i], amount, calls[i], termsHash, bytes32(0), signVoucher(payerKeys[i], id, amount, calls[i], termsHash)
        );
    }

    function revoke(uint256 indexSeed, uint256 callerSeed) external {
        uint64 last = reputation.getLastIndex(agentId, address(gateway));
        if (last == 0) return;
        uint64 index = uint64(bound(indexSeed, 1, last));
        address caller = payers[callerSeed % PAYERS];
        (,,,, bool revoked) = reputation.readFeedback(agentId, address(gateway), index);
        bool legal = gateway.paymentOf(agentId, index).payer == caller && !revoked;
        vm.prank(caller);
        try gateway.revokeFeedback(agentId, index) {
            if (!legal) _violation();
        } catch {
            if (legal) _violation();
        }
    }

    function _violation() private {
        ++violations;
    }
}
