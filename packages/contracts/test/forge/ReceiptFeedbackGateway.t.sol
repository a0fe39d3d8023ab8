// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GotongToken} from "../../contracts/GotongToken.sol";
import {ReceiptFeedbackGateway} from "../../contracts/ReceiptFeedbackGateway.sol";
import {ReputationRegistry} from "../../contracts/ReputationRegistry.sol";
import {IdentityRegistry} from "../../contracts/IdentityRegistry.sol";
import {IPaymentChannels} from "../../contracts/interfaces/IPaymentChannels.sol";
import {IReceiptFeedbackGateway} from "../../contracts/interfaces/IReceiptFeedbackGateway.sol";
import {IReputationRegistry} from "../../contracts/interfaces/IReputationRegistry.sol";
import {OwnerWallet} from "./utils/Authorizations.sol";
import {GatewayFixture} from "./utils/GatewayFixture.sol";

contract ReceiptFeedbackGatewayTest is GatewayFixture {
    /// One paid call as the client holds it after the provider answered.
    struct Call {
        IPaymentChannels.ChannelKey key;
        IReceiptFeedbackGateway.Agreement agreement;
        IReceiptFeedbackGateway.Receipt receipt;
        bytes signature;
    }

    uint256 constant TOOL = 7;

    address agentOwner = makeAddr("agent owner");
    address provider; // the agent's wallet: its channels' payee, and the key that signs receipts
    uint256 providerKey;
    address otherProvider;
    uint256 otherKey;
    address alice = makeAddr("alice");
    address mallory = makeAddr("mallory");
    uint256 malloryKey = 0xBAD;
    uint256 agentId;
    uint256 otherAgentId;

    function setUp() public {
        vm.warp(1_700_000_000);
        deployGateway();
        (provider, providerKey) = makeAddrAndKey("provider");
        (otherProvider, otherKey) = makeAddrAndKey("other provider");
        agentId = registerAs(agentOwner, "ipfs://agent");
        proveWallet(agentId, providerKey);
        otherAgentId = registerAs(otherProvider, "ipfs://other"); // its own wallet
        fund(alice, 1e9);
        fund(mallory, 1e9);
        fund(agentOwner, 1e9);
    }

    /// `payer` opened a channel to `payee` with `deposit`, and `signerKey` signed the receipt of
    /// call `calls` that brought it to `cumulativeAmount`.
    function paidCall(address payer, address payee, uint256 signerKey, uint256 deposit, uint64 calls, uint256 amount)
        internal
        returns (Call memory c)
    {
        c.key = openChannel(payer, payee, deposit);
        c.agreement = agreementOf(c.key, TOOL);
        c.receipt = receiptOf(c.key, c.agreement, calls, amount);
        c.signature = signReceipt(signerKey, c.receipt);
    }

    /// The next receipt on the same channel, signed by the agent's wallet.
    function next(Call memory c, uint64 calls, uint256 amount) internal view returns (Call memory n) {
        n.key = c.key;
        n.agreement = c.agreement;
        n.receipt = receiptOf(c.key, c.agreement, calls, amount);
        n.signature = signReceipt(providerKey, n.receipt);
    }

    function give(address sender, uint256 agent, int128 value, Call memory c) internal returns (uint64) {
        vm.prank(sender);
        return gateway.giveFeedback(agent, feedbackOf(value), c.key, c.agreement, c.receipt, c.signature);
    }

    function onlyGateway() internal view returns (address[] memory list) {
        list = new address[](1);
        list[0] = address(gateway);
    }

    // ---- accepted ----

    function test_APaidCallGivesFeedbackOnceAsTheGateway() public {
        Call memory c = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        bytes32 channelId = c.receipt.channelId;
        vm.expectEmit(address(reputation));
        emit IReputationRegistry.NewFeedback(
            agentId, address(gateway), 1, 90, 0, "7", "7", "paid", "https://agent.example/", "", 0
        );
        vm.expectEmit(address(gateway));
        emit IReceiptFeedbackGateway.PaidFeedback(agentId, alice, 1, channelId, receiptDigest(c.receipt), TOOL, PRICE);
        assertEq(give(alice, agentId, 90, c), 1);

        (uint64 count, int128 value, uint8 decimals) = reputation.getSummary(agentId, onlyGateway(), "", "");
        assertEq(count, 1);
        assertEq(value, 90);
        assertEq(decimals, 0);
        (,, string memory tag1, string memory tag2,) = reputation.readFeedback(agentId, address(gateway), 1);
        assertEq(tag1, "7");
        assertEq(tag2, "paid");
        assertEq(reputation.getLastIndex(agentId, alice), 0); // the gateway is the client
        IReceiptFeedbackGateway.Payment memory payment = gateway.paymentOf(agentId, 1);
        assertEq(payment.payer, alice);
        assertEq(payment.amount, PRICE);
        assertEq(gateway.countedOf(channelId), PRICE);

        vm.expectRevert(
            abi.encodeWithSelector(IReceiptFeedbackGateway.ReceiptAlreadyCounted.selector, channelId, PRICE, PRICE)
        );
        give(alice, agentId, 90, c);
        (count,,) = reputation.getSummary(agentId, onlyGateway(), "", "");
        assertEq(count, 1);
    }

    function test_FeedbackIsWeightedByWhatEachReceiptNewlyPaid() public {
        Call memory first = paidCall(alice, provider, providerKey, 100_000, 1, 10_000);
        give(alice, agentId, 100, first);
        Call memory third = next(first, 3, 30_000);
        give(alice, agentId, 0, third);
        assertEq(gateway.paymentOf(agentId, 1).amount, 10_000);
        assertEq(gateway.paymentOf(agentId, 2).amount, 20_000);

        // The registry averages per paid feedback; the gateway weights by amount.
        (uint64 count, int128 value,) = reputation.getSummary(agentId, onlyGateway(), "7", "paid");
        assertEq(count, 2);
        assertEq(value, 50);
        (uint64 paidCount, uint256 paid, int128 weighted, uint8 decimals) = gateway.getPaidSummary(agentId, "");
        assertEq(paidCount, 2);
        assertEq(paid, 30_000);
        assertEq(weighted, 33); // (100 × 10,000 + 0 × 20,000) / 30,000
        assertEq(decimals, 0);

        // An older receipt after a newer one, and a free call, count nothing.
        bytes32 channelId = first.receipt.channelId;
        Call memory second = next(first, 2, 20_000);
        Call memory free = next(first, 4, 30_000);
        vm.expectRevert(
            abi.encodeWithSelector(IReceiptFeedbackGateway.ReceiptAlreadyCounted.selector, channelId, 20_000, 30_000)
        );
        give(alice, agentId, 100, second);
        vm.expectRevert(
            abi.encodeWithSelector(IReceiptFeedbackGateway.ReceiptAlreadyCounted.selector, channelId, 30_000, 30_000)
        );
        give(alice, agentId, 100, free);
    }

    function test_TheToolIdTagSeparatesTools() public {
        Call memory seven = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        give(alice, agentId, 80, seven);
        Call memory nine;
        nine.key = openChannel(alice, provider, 100_000);
        nine.agreement = agreementOf(nine.key, 9);
        nine.receipt = receiptOf(nine.key, nine.agreement, 1, 3 * PRICE);
        nine.signature = signReceipt(providerKey, nine.receipt);
        give(alice, agentId, -20, nine);

        (uint64 count, int128 value,) = reputation.getSummary(agentId, onlyGateway(), "9", "");
        assertEq(count, 1);
        assertEq(value, -20);
        (count, value,) = reputation.getSummary(agentId, onlyGateway(), "", "");
        assertEq(count, 2);
        assertEq(value, 30);
        (uint64 paidCount, uint256 paid, int128 weighted,) = gateway.getPaidSummary(agentId, "7");
        assertEq(paidCount, 1);
        assertEq(paid, PRICE);
        assertEq(weighted, 80);
        (, paid, weighted,) = gateway.getPaidSummary(agentId, "");
        assertEq(paid, 4 * PRICE);
        assertEq(weighted, 5); // (80 × 1 − 20 × 3) / 4
    }

    function test_AnErc1271AgentWalletSignsReceipts() public {
        address wallet = address(new OwnerWallet(provider));
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = signDigest(providerKey, walletDigest(agentId, wallet, agentOwner, deadline));
        vm.prank(agentOwner);
        identity.setAgentWallet(agentId, wallet, deadline, proof);

        Call memory c = paidCall(alice, wallet, providerKey, 100_000, 1, PRICE);
        c.signature = abi.encode(uint256(0), c.signature); // as a smart wallet wraps it
        assertEq(give(alice, agentId, 70, c), 1);
    }

    // ---- refused ----

    function test_RefusedWithoutAReceiptSignature() public {
        Call memory c = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        c.signature = "";
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.InvalidReceiptSignature.selector, provider));
        give(alice, agentId, 100, c);
        c.signature = new bytes(65);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.InvalidReceiptSignature.selector, provider));
        give(alice, agentId, 100, c);
    }

    function test_RefusedWithAnotherAgentsReceipt() public {
        Call memory theirs = paidCall(alice, otherProvider, otherKey, 100_000, 1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.InvalidReceiptSignature.selector, provider));
        give(alice, agentId, 100, theirs);
        Call memory ours = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.InvalidReceiptSignature.selector, otherProvider));
        give(alice, otherAgentId, 100, ours);
        // Each counts for its own agent.
        give(alice, otherAgentId, 100, theirs);
        give(alice, agentId, 100, ours);
    }

    function test_RefusedWithAForgedReceipt() public {
        Call memory c = paidCall(alice, provider, malloryKey, 100_000, 1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.InvalidReceiptSignature.selector, provider));
        give(alice, agentId, 100, c);
        // A genuine receipt whose amount was raised after signing.
        c = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        c.receipt.cumulativeAmount = 50_000;
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.InvalidReceiptSignature.selector, provider));
        give(alice, agentId, 100, c);
    }

    function test_RefusedAboveTheChannelsFunds() public {
        Call memory c = paidCall(alice, provider, providerKey, 20_000, 3, 30_000);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.ReceiptExceedsChannel.selector, 30_000, 20_000));
        give(alice, agentId, 100, c);
        // Once the deposit covers it, it counts.
        vm.prank(alice);
        channels.topUp(c.key, 10_000);
        give(alice, agentId, 100, c);
    }

    function test_RefusedWhenThePayerIsNotTheSender() public {
        Call memory c = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.PayerNotSender.selector, alice, mallory));
        give(mallory, agentId, 0, c);
    }

    function test_TheAgentCannotRateItselfThroughTheGateway() public {
        Call memory own = paidCall(agentOwner, provider, providerKey, 100_000, 1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.SelfFeedback.selector, agentId, agentOwner));
        give(agentOwner, agentId, 100, own);
        Call memory alices = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.SelfFeedback.selector, agentId, provider));
        give(provider, agentId, 100, alices);

        address operator = makeAddr("operator");
        fund(operator, 1e9);
        vm.prank(agentOwner);
        identity.setApprovalForAll(operator, true);
        Call memory operators = paidCall(operator, provider, providerKey, 100_000, 1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.SelfFeedback.selector, agentId, operator));
        give(operator, agentId, 100, operators);
    }

    function test_TheKeyMustNameTheReceiptsChannel() public {
        Call memory c = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        IPaymentChannels.ChannelKey memory otherKey_ = openChannel(alice, provider, 100_000);
        bytes32 receiptChannel = c.receipt.channelId;
        c.key = otherKey_;
        vm.expectRevert(
            abi.encodeWithSelector(
                IReceiptFeedbackGateway.ChannelMismatch.selector, receiptChannel, channels.channelIdOf(otherKey_)
            )
        );
        give(alice, agentId, 100, c);
    }

    function test_TheChannelMustPayTheAgentsWalletInTheGatewaysToken() public {
        address dave = makeAddr("dave");
        Call memory elsewhere = paidCall(alice, dave, providerKey, 100_000, 1, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.PayeeNotAgentWallet.selector, dave, provider));
        give(alice, agentId, 100, elsewhere);

        GotongToken other = new GotongToken("Other", "OTH", address(this));
        other.mint(alice, 1e9);
        vm.prank(alice);
        other.approve(address(channels), type(uint256).max);
        Call memory c;
        c.key = IPaymentChannels.ChannelKey(alice, provider, address(other), 1 hours, keccak256("other token"));
        vm.prank(alice);
        channels.open(c.key, 100_000);
        c.agreement = agreementOf(c.key, TOOL);
        c.receipt = receiptOf(c.key, c.agreement, 1, PRICE);
        c.signature = signReceipt(providerKey, c.receipt);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.WrongToken.selector, address(other)));
        give(alice, agentId, 100, c);
    }

    function test_TheAgreementMustBeTheReceiptsTermsForThisChannel() public {
        Call memory c = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        // Claiming another tool than the one paid for.
        IReceiptFeedbackGateway.Agreement memory claimed = agreementOf(c.key, 9);
        c.agreement = claimed;
        vm.expectRevert(
            abi.encodeWithSelector(
                IReceiptFeedbackGateway.TermsMismatch.selector, c.receipt.termsHash, termsHashOf(claimed)
            )
        );
        give(alice, agentId, 100, c);

        // Terms the agent did sign, but naming another consumer, or another tool registry.
        c.agreement = agreementOf(c.key, TOOL);
        c.agreement.consumer = mallory;
        c.receipt = receiptOf(c.key, c.agreement, 1, PRICE);
        c.signature = signReceipt(providerKey, c.receipt);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.AgreementNotForChannel.selector));
        give(alice, agentId, 100, c);
        c.agreement = agreementOf(c.key, TOOL);
        c.agreement.registry = mallory;
        c.receipt = receiptOf(c.key, c.agreement, 1, PRICE);
        c.signature = signReceipt(providerKey, c.receipt);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.UnknownToolRegistry.selector, mallory));
        give(alice, agentId, 100, c);
    }

    function test_RefusedForChannelsNeverOpenedOrClosed() public {
        Call memory never;
        never.key = IPaymentChannels.ChannelKey(alice, provider, address(token), 1 hours, keccak256("never opened"));
        never.agreement = agreementOf(never.key, TOOL);
        never.receipt = receiptOf(never.key, never.agreement, 1, PRICE);
        never.signature = signReceipt(providerKey, never.receipt);
        vm.expectRevert(
            abi.encodeWithSelector(IReceiptFeedbackGateway.ChannelNotFound.selector, never.receipt.channelId)
        );
        give(alice, agentId, 100, never);

        Call memory c = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        (, uint256 aliceKey) = makeAddrAndKey("alice");
        bytes memory voucher = signVoucher(aliceKey, c.receipt.channelId, PRICE, 1, c.receipt.termsHash);
        vm.prank(provider);
        channels.cooperativeClose(c.key, PRICE, 1, c.receipt.termsHash, bytes32(0), voucher);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.ChannelClosed.selector, c.receipt.channelId));
        give(alice, agentId, 100, c);
    }

    function test_RefusedOnceTheAgentChangedHands() public {
        Call memory c = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        vm.prank(agentOwner);
        identity.transferFrom(agentOwner, makeAddr("buyer"), agentId);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.AgentWalletUnset.selector, agentId));
        give(alice, agentId, 100, c);
    }

    // ---- revoking ----

    function test_OnlyThePayerRevokesAndTheMoneyStaysCounted() public {
        Call memory c = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        give(alice, agentId, 10, c);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.NotFeedbackGiver.selector, agentId, 1, mallory));
        vm.prank(mallory);
        gateway.revokeFeedback(agentId, 1);
        vm.expectRevert(abi.encodeWithSelector(IReceiptFeedbackGateway.NotFeedbackGiver.selector, agentId, 2, alice));
        vm.prank(alice);
        gateway.revokeFeedback(agentId, 2);

        vm.expectEmit(address(reputation));
        emit IReputationRegistry.FeedbackRevoked(agentId, address(gateway), 1);
        vm.prank(alice);
        gateway.revokeFeedback(agentId, 1);
        (uint64 count,,) = reputation.getSummary(agentId, onlyGateway(), "", "");
        assertEq(count, 0);
        (count,,,) = gateway.getPaidSummary(agentId, "");
        assertEq(count, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReceiptFeedbackGateway.ReceiptAlreadyCounted.selector, c.receipt.channelId, PRICE, PRICE
            )
        );
        give(alice, agentId, 10, c);
    }

    // ---- hashes and deployment ----

    /// Digests computed by viem's hashTypedData with core's `agreementTypes` and `receiptTypes`
    /// under `gotongDomain({ chainId: 31337, verifyingContract })`.
    function test_HashesMatchCoresTypedData() public {
        vm.chainId(31337);
        address channelsAt = 0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9;
        ReceiptFeedbackGateway g = new ReceiptFeedbackGateway(
            identity, reputation, IPaymentChannels(channelsAt), address(token), toolRegistry
        );
        IReceiptFeedbackGateway.Agreement memory a = IReceiptFeedbackGateway.Agreement({
            consumer: 0x70997970C51812dc3A010C7d01b50e0d17dc79C8,
            provider: 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,
            registry: 0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0,
            toolId: 7,
            manifestHash: bytes32(0x1111111111111111111111111111111111111111111111111111111111111111),
            token: 0x5FbDB2315678afecb367f032d93F642f64180aa3,
            pricePerCall: 10_000,
            maxCalls: 100,
            validUntil: 1_800_000_000,
            p95LatencyMs: 500,
            callsPerMinute: 60,
            nonce: bytes32(0x2222222222222222222222222222222222222222222222222222222222222222)
        });
        bytes32 termsHash = 0x000ade8acca70e1f59638a96b7c1856d310ba6ef7726f05085dcd58e0d99741e;
        assertEq(g.hashAgreement(a), termsHash);
        IReceiptFeedbackGateway.Receipt memory r = IReceiptFeedbackGateway.Receipt({
            termsHash: termsHash,
            channelId: bytes32(0x3333333333333333333333333333333333333333333333333333333333333333),
            calls: 3,
            cumulativeAmount: 30_000,
            requestHash: bytes32(0x4444444444444444444444444444444444444444444444444444444444444444),
            responseHash: bytes32(0x5555555555555555555555555555555555555555555555555555555555555555),
            servedAt: 1_700_000_000
        });
        assertEq(g.hashReceipt(r), 0x2ddb85552bcb84a4616540c16b915586ba323623c02783b26b3044220267d64d);
        assertEq(gateway.RECEIPT_TYPEHASH(), RECEIPT_TYPEHASH);
        assertEq(gateway.AGREEMENT_TYPEHASH(), AGREEMENT_TYPEHASH);
    }

    function test_DeploymentWiring() public {
        assertEq(gateway.identityRegistry(), address(identity));
        assertEq(gateway.reputationRegistry(), address(reputation));
        assertEq(gateway.paymentChannels(), address(channels));
        assertEq(gateway.token(), address(token));
        assertEq(gateway.toolRegistry(), toolRegistry);
        IdentityRegistry stranger = new IdentityRegistry();
        vm.expectRevert(
            abi.encodeWithSelector(
                IReceiptFeedbackGateway.RegistriesMismatch.selector, address(stranger), address(identity)
            )
        );
        new ReceiptFeedbackGateway(stranger, reputation, channels, address(token), toolRegistry);
        // A reputation registry of its own works as well: the gateway only needs the ERC's calls.
        ReputationRegistry own = new ReputationRegistry(identity);
        assertEq(
            new ReceiptFeedbackGateway(identity, own, channels, address(token), toolRegistry).reputationRegistry(),
            address(own)
        );
    }

    // ---- gas ----

    /// One isolated transaction each (run with --isolate -vv to see them): the gateway's first
    /// feedback for an agent and the channel's first, then the channel's next.
    function test_GasGiveFeedbackThroughTheGateway() public {
        Call memory warmup = paidCall(mallory, provider, providerKey, 100_000, 1, PRICE);
        give(mallory, agentId, 50, warmup);
        Call memory c = paidCall(alice, provider, providerKey, 100_000, 1, PRICE);
        give(alice, agentId, 90, c);
        uint256 first = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("gateway giveFeedback, a channel's first receipt", first);
        assertLe(first, 250_000, "gateway giveFeedback");
        give(alice, agentId, 95, next(c, 2, 2 * PRICE));
        emit log_named_uint("gateway giveFeedback, a channel's next receipt", vm.lastCallGas().gasTotalUsed);
    }
}
