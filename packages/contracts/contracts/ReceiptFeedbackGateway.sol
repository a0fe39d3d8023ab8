// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {IPaymentChannels} from "./interfaces/IPaymentChannels.sol";
import {IReceiptFeedbackGateway} from "./interfaces/IReceiptFeedbackGateway.sol";
import {IReputationRegistry} from "./interfaces/IReputationRegistry.sol";
import {WalletSignatures} from "./utils/WalletSignatures.sol";

/// @title ReceiptFeedbackGateway
/// @notice Gives ERC-8004 feedback on behalf of clients who prove they paid: a receipt signed by
/// the agent's wallet for a funded gotong channel from the client to that wallet.
/// @dev Design choices:
/// - The payee must be the agent's wallet, not its owner: the ERC calls the wallet "the address
///   where the agent receives payments", it is the key that signs receipts, and a channel paying
///   any other address would prove nothing about money reaching the agent.
/// - Each channel has a high-water mark: a receipt counts only if its cumulative amount exceeds
///   the channel's newest receipt used so far, and the feedback stands for the difference. So a
///   receipt is used once (as by its digest, but also no older receipt after a newer one), no two
///   feedbacks stand for the same money, a free call gives none, and the amounts of a channel's
///   feedback sum to at most its funds.
/// - "Weighted by what was paid": the registry's `getSummary` averages values with equal weight,
///   so over the gateway it is the average per paid feedback, where every feedback is backed by a
///   distinct non-zero payment. The amounts are recorded here, and `getPaidSummary` gives the
///   average weighted by amount. Only one token is accepted, so amounts are comparable.
/// - The tool id in tag1 is proven: the client passes the agreement, whose EIP-712 digest must
///   be the receipt's `termsHash`, and which must name the channel's payer, payee and token and
///   the gateway's tool registry.
/// - Amounts are read from the channel while it is open or closing (claimed never exceeds the
///   deposit, so the deposit covers both). A closed channel keeps only its status, so receipts of
///   closed channels are refused: give feedback before closing.
/// - What this cannot stop: an agent paying itself from another address it controls. It costs
///   that address real deposits and gas, but the money comes back; read the amounts and payers.
contract ReceiptFeedbackGateway is IReceiptFeedbackGateway {
    /// @notice EIP-712 type hash of a gotong receipt.
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(bytes32 termsHash,bytes32 channelId,uint64 calls,uint256 cumulativeAmount,bytes32 requestHash,bytes32 responseHash,uint64 servedAt)"
    );

    /// @notice EIP-712 type hash of a gotong agreement.
    bytes32 public constant AGREEMENT_TYPEHASH = keccak256(
        "Agreement(address consumer,address provider,address registry,uint256 toolId,bytes32 manifestHash,address token,uint256 pricePerCall,uint64 maxCalls,uint64 validUntil,uint32 p95LatencyMs,uint32 callsPerMinute,bytes32 nonce)"
    );

    /// @notice tag2 of every feedback the gateway gives.
    string public constant TAG2 = "paid";

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    IIdentityRegistry private immutable _IDENTITY;
    IReputationRegistry private immutable _REPUTATION;
    IPaymentChannels private immutable _CHANNELS;
    address private immutable _TOKEN;
    address private immutable _TOOL_REGISTRY;
    uint256 private immutable _CACHED_CHAIN_ID;
    bytes32 private immutable _CACHED_DOMAIN_SEPARATOR;

    mapping(bytes32 channelId => uint256) private _counted;
    mapping(uint256 agentId => mapping(uint64 feedbackIndex => Payment)) private _payments;

    /// @notice Deploys the gateway.
    /// @param identity The ERC-8004 identity registry.
    /// @param reputation An ERC-8004 reputation registry for `identity`'s agents.
    /// @param channels gotong's payment channels (receipts are signed in its EIP-712 domain).
    /// @param token_ The token channels must be in.
    /// @param toolRegistry_ The ERC-8257 registry agreements must name.
    constructor(
        IIdentityRegistry identity,
        IReputationRegistry reputation,
        IPaymentChannels channels,
        address token_,
        address toolRegistry_
    ) {
        address rated = reputation.getIdentityRegistry();
        if (rated != address(identity)) revert RegistriesMismatch(address(identity), rated);
        _IDENTITY = identity;
        _REPUTATION = reputation;
        _CHANNELS = channels;
        _TOKEN = token_;
        _TOOL_REGISTRY = toolRegistry_;
        _CACHED_CHAIN_ID = block.chainid;
        _CACHED_DOMAIN_SEPARATOR = _buildDomainSeparator();
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function giveFeedback(
        uint256 agentId,
        Feedback calldata feedback,
        IPaymentChannels.ChannelKey calldata key,
        Agreement calldata agreement,
        Receipt calldata receipt,
        bytes calldata signature
    ) external returns (uint64 feedbackIndex) {
        bytes32 digest = _checkSigner(agentId, key, receipt, signature);
        _checkAgreement(key, agreement, receipt.termsHash);
        uint256 paid = _count(receipt);

        feedbackIndex = _give(agentId, feedback, Strings.toString(agreement.toolId));
        // casting to 'uint96' is safe because paid <= cumulativeAmount <= deposit <= PaymentChannels.MAX_DEPOSIT
        // forge-lint: disable-next-line(unsafe-typecast)
        _payments[agentId][feedbackIndex] = Payment({payer: msg.sender, amount: uint96(paid)});
        emit PaidFeedback(agentId, msg.sender, feedbackIndex, receipt.channelId, digest, agreement.toolId, paid);
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external {
        // An index the gateway never gave has no payer, and no sender is the zero address.
        if (_payments[agentId][feedbackIndex].payer != msg.sender) {
            revert NotFeedbackGiver(agentId, feedbackIndex, msg.sender);
        }
        _REPUTATION.revokeFeedback(agentId, feedbackIndex);
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function getPaidSummary(uint256 agentId, string calldata tag1)
        external
        view
        returns (uint64 count, uint256 paid, int128 summaryValue, uint8 summaryValueDecimals)
    {
        address[] memory clients = new address[](1);
        clients[0] = address(this);
        (, uint64[] memory indexes, int128[] memory values, uint8[] memory decimals,,,) =
            _REPUTATION.readAllFeedback(agentId, clients, tag1, "", false);
        uint256[] memory amounts = new uint256[](indexes.length);
        uint64[19] memory decimalCounts;
        for (uint256 i; i < indexes.length; ++i) {
            amounts[i] = _payments[agentId][indexes[i]].amount;
            paid += amounts[i];
            ++decimalCounts[decimals[i]];
        }
        count = uint64(indexes.length);
        if (paid == 0) return (count, 0, 0, 0);
        // Σ value·amount / Σ amount at 18 decimals, term by term through mulDiv: a value of up to
        // 1e56 at 18 decimals times an amount of up to 2^96 would overflow an int256.
        int256 weighted;
        for (uint256 i; i < indexes.length; ++i) {
            int256 value = int256(values[i]) * int256(10 ** (18 - uint256(decimals[i])));
            int256 share = int256(Math.mulDiv(_abs(value), amounts[i], paid));
            weighted += value < 0 ? -share : share;
        }
        for (uint8 d = 1; d <= 18; ++d) {
            if (decimalCounts[d] > decimalCounts[summaryValueDecimals]) summaryValueDecimals = d;
        }
        // A weighted average of values of at most 1e38 is at most 1e38: it fits an int128.
        summaryValue = int128(weighted / int256(10 ** (18 - uint256(summaryValueDecimals))));
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function paymentOf(uint256 agentId, uint64 feedbackIndex) external view returns (Payment memory) {
        return _payments[agentId][feedbackIndex];
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function countedOf(bytes32 channelId) external view returns (uint256) {
        return _counted[channelId];
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function hashReceipt(Receipt calldata receipt) external view returns (bytes32) {
        return _hashReceipt(receipt);
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function hashAgreement(Agreement calldata agreement) external view returns (bytes32) {
        return _hashAgreement(agreement);
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function identityRegistry() external view returns (address) {
        return address(_IDENTITY);
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function reputationRegistry() external view returns (address) {
        return address(_REPUTATION);
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function paymentChannels() external view returns (address) {
        return address(_CHANNELS);
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function token() external view returns (address) {
        return _TOKEN;
    }

    /// @inheritdoc IReceiptFeedbackGateway
    function toolRegistry() external view returns (address) {
        return _TOOL_REGISTRY;
    }

    /// Checks who may give the feedback and who signed the receipt, for which channel; returns
    /// the receipt's digest.
    function _checkSigner(
        uint256 agentId,
        IPaymentChannels.ChannelKey calldata key,
        Receipt calldata receipt,
        bytes calldata signature
    ) private view returns (bytes32 digest) {
        // Reverts (ERC721NonexistentToken) for an agent that does not exist.
        address owner = _IDENTITY.ownerOf(agentId);
        address wallet = _IDENTITY.getAgentWallet(agentId);
        if (wallet == address(0)) revert AgentWalletUnset(agentId);
        if (
            msg.sender == owner || msg.sender == wallet || _IDENTITY.isApprovedForAll(owner, msg.sender)
                || _IDENTITY.getApproved(agentId) == msg.sender
        ) revert SelfFeedback(agentId, msg.sender);
        digest = _hashReceipt(receipt);
        if (!WalletSignatures.isValidNow(wallet, digest, signature)) revert InvalidReceiptSignature(wallet);

        bytes32 channelId = _CHANNELS.channelIdOf(key);
        if (channelId != receipt.channelId) revert ChannelMismatch(receipt.channelId, channelId);
        if (key.payer != msg.sender) revert PayerNotSender(key.payer, msg.sender);
        if (key.payee != wallet) revert PayeeNotAgentWallet(key.payee, wallet);
        if (key.token != _TOKEN) revert WrongToken(key.token);
    }

    /// Checks that the agreement is the receipt's terms, for this channel and tool registry.
    function _checkAgreement(IPaymentChannels.ChannelKey calldata key, Agreement calldata agreement, bytes32 termsHash)
        private
        view
    {
        bytes32 agreementHash = _hashAgreement(agreement);
        if (agreementHash != termsHash) revert TermsMismatch(termsHash, agreementHash);
        if (agreement.consumer != key.payer || agreement.provider != key.payee || agreement.token != key.token) {
            revert AgreementNotForChannel();
        }
        if (agreement.registry != _TOOL_REGISTRY) revert UnknownToolRegistry(agreement.registry);
    }

    /// Checks the receipt against the channel's funds and high-water mark, raises the mark, and
    /// returns what the receipt newly paid.
    function _count(Receipt calldata receipt) private returns (uint256 paid) {
        bytes32 channelId = receipt.channelId;
        IPaymentChannels.Channel memory channel = _CHANNELS.getChannel(channelId);
        if (channel.status == IPaymentChannels.Status.None) revert ChannelNotFound(channelId);
        if (channel.status == IPaymentChannels.Status.Closed) revert ChannelClosed(channelId);
        uint256 amount = receipt.cumulativeAmount;
        uint256 covered = Math.max(channel.claimed, channel.deposit);
        if (amount > covered) revert ReceiptExceedsChannel(amount, covered);
        uint256 counted = _counted[channelId];
        if (amount <= counted) revert ReceiptAlreadyCounted(channelId, amount, counted);
        _counted[channelId] = amount;
        paid = amount - counted;
    }

    /// Gives the feedback as the gateway; returns its index. The strings go through memory: as
    /// calldata slices they would take two stack slots each, one too many for the call.
    function _give(uint256 agentId, Feedback memory feedback, string memory tag1) private returns (uint64) {
        _REPUTATION.giveFeedback(
            agentId,
            feedback.value,
            feedback.valueDecimals,
            tag1,
            TAG2,
            feedback.endpoint,
            feedback.feedbackURI,
            feedback.feedbackHash
        );
        return _REPUTATION.getLastIndex(agentId, address(this));
    }

    function _hashReceipt(Receipt calldata receipt) private view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(_domainSeparator(), keccak256(abi.encode(RECEIPT_TYPEHASH, receipt)));
    }

    function _hashAgreement(Agreement calldata agreement) private view returns (bytes32) {
        return
            MessageHashUtils.toTypedDataHash(_domainSeparator(), keccak256(abi.encode(AGREEMENT_TYPEHASH, agreement)));
    }

    /// gotong's domain for the channels contract, rebuilt if the chain id changed (a fork), as
    /// PaymentChannels' own (OpenZeppelin's EIP712) is.
    function _domainSeparator() private view returns (bytes32) {
        return block.chainid == _CACHED_CHAIN_ID ? _CACHED_DOMAIN_SEPARATOR : _buildDomainSeparator();
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256("gotong"), keccak256("1"), block.chainid, address(_CHANNELS))
            );
    }

    function _abs(int256 value) private pure returns (uint256) {
        return value < 0 ? uint256(-value) : uint256(value);
    }
}
