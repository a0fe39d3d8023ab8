// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPaymentChannels} from "./IPaymentChannels.sol";

/// @title IReceiptFeedbackGateway
/// @notice ERC-8004 feedback that only a paying client can give: the client shows a receipt the
/// agent's wallet signed for a call paid over a gotong channel, and the gateway gives the
/// feedback to the reputation registry as its own client address. So
/// `getSummary(agentId, [gateway], …)` counts only paid calls, one feedback per slice of money
/// paid, and never a free call.
/// @dev Receipts and agreements are gotong's EIP-712 types in the domain
/// `{ name: "gotong", version: "1", chainId, verifyingContract: PaymentChannels }`.
interface IReceiptFeedbackGateway {
    /// @notice A provider's signed proof that it served a call (core's `Receipt`).
    /// @param termsHash EIP-712 digest of the `Agreement` the call was made under.
    /// @param channelId The channel that paid for it.
    /// @param calls Cumulative calls on the channel, this one included.
    /// @param cumulativeAmount Cumulative amount paid on the channel, this call included.
    /// @param requestHash keccak256 of the request.
    /// @param responseHash keccak256 of the response.
    /// @param servedAt Unix seconds when the call was served.
    struct Receipt {
        bytes32 termsHash;
        bytes32 channelId;
        uint64 calls;
        uint256 cumulativeAmount;
        bytes32 requestHash;
        bytes32 responseHash;
        uint64 servedAt;
    }

    /// @notice The terms both sides signed for one tool (core's `Agreement`); its EIP-712 digest
    /// is every receipt's `termsHash`, which is how the gateway knows which tool a receipt is for.
    struct Agreement {
        address consumer;
        address provider;
        address registry;
        uint256 toolId;
        bytes32 manifestHash;
        address token;
        uint256 pricePerCall;
        uint64 maxCalls;
        uint64 validUntil;
        uint32 p95LatencyMs;
        uint32 callsPerMinute;
        bytes32 nonce;
    }

    /// @notice What the client says; passed to `giveFeedback` as given.
    /// @param value Signed fixed-point value.
    /// @param valueDecimals Its decimals, 0 to 18.
    /// @param endpoint Optional URI of the endpoint the feedback is about.
    /// @param feedbackURI Optional URI of an off-chain feedback file.
    /// @param feedbackHash Optional keccak256 of that file.
    struct Feedback {
        int128 value;
        uint8 valueDecimals;
        string endpoint;
        string feedbackURI;
        bytes32 feedbackHash;
    }

    /// @notice Who paid for a feedback, and how much of the channel's money it stands for.
    struct Payment {
        address payer;
        uint96 amount;
    }

    /// @notice The gateway gave feedback `feedbackIndex` (its own index at the reputation
    /// registry) for `payer`, backed by `amount` newly paid on `channelId` for tool `toolId`.
    event PaidFeedback(
        uint256 indexed agentId,
        address indexed payer,
        uint64 indexed feedbackIndex,
        bytes32 channelId,
        bytes32 receiptDigest,
        uint256 toolId,
        uint256 amount
    );

    /// @notice The reputation registry rates another identity registry's agents.
    error RegistriesMismatch(address identityRegistry, address reputationsIdentityRegistry);
    /// @notice The agent has no wallet (cleared, or transferred and not proven again).
    error AgentWalletUnset(uint256 agentId);
    /// @notice The sender is the agent's owner, wallet, an operator of the owner or approved for the agent.
    error SelfFeedback(uint256 agentId, address sender);
    /// @notice The receipt is not signed by the agent's wallet (forged, or another agent's).
    error InvalidReceiptSignature(address agentWallet);
    /// @notice The key given is not the receipt's channel.
    error ChannelMismatch(bytes32 receiptChannelId, bytes32 keyChannelId);
    /// @notice The channel's payer is not the sender.
    error PayerNotSender(address payer, address sender);
    /// @notice The channel does not pay the agent's wallet.
    error PayeeNotAgentWallet(address payee, address agentWallet);
    /// @notice The channel is in another token than the gateway counts in.
    error WrongToken(address token);
    /// @notice The agreement given is not the one the receipt's `termsHash` commits to.
    error TermsMismatch(bytes32 termsHash, bytes32 agreementHash);
    /// @notice The agreement's consumer, provider or token is not the channel's payer, payee or token.
    error AgreementNotForChannel();
    /// @notice The agreement's tool is in another tool registry than the gateway's.
    error UnknownToolRegistry(address registry);
    /// @notice No channel has this id.
    error ChannelNotFound(bytes32 channelId);
    /// @notice The channel is closed: its funds can no longer be read on chain.
    error ChannelClosed(bytes32 channelId);
    /// @notice The receipt's cumulative amount is above what the channel holds or paid.
    error ReceiptExceedsChannel(uint256 cumulativeAmount, uint256 covered);
    /// @notice The receipt adds nothing to what earlier feedback on its channel already counted:
    /// the same receipt again, an older one, or a free call.
    error ReceiptAlreadyCounted(bytes32 channelId, uint256 cumulativeAmount, uint256 counted);
    /// @notice Only the payer who gave a feedback through the gateway may revoke it.
    error NotFeedbackGiver(uint256 agentId, uint64 feedbackIndex, address caller);

    /// @notice Gives feedback to `agentId` for a paid call: the receipt must be signed by the
    /// agent's wallet, for a channel (named by `key`) from the sender to that wallet in the
    /// gateway's token that holds or paid the receipt's cumulative amount, under `agreement`,
    /// and must add to what the channel's earlier feedback counted.
    /// @dev Calls the reputation registry's `giveFeedback` with tag1 = the agreement's tool id in
    /// decimal and tag2 = "paid", and records the payer and the amount newly paid (the receipt's
    /// cumulative amount minus the channel's counted amount) under the new feedback index.
    /// @param agentId The agent.
    /// @param feedback The client's value and optional URIs.
    /// @param key The receipt's channel.
    /// @param agreement The terms the receipt's `termsHash` commits to.
    /// @param receipt The receipt.
    /// @param signature The agent wallet's signature of the receipt (65-byte ECDSA, or ERC-1271).
    /// @return feedbackIndex The gateway's feedback index for the agent at the reputation registry.
    function giveFeedback(
        uint256 agentId,
        Feedback calldata feedback,
        IPaymentChannels.ChannelKey calldata key,
        Agreement calldata agreement,
        Receipt calldata receipt,
        bytes calldata signature
    ) external returns (uint64 feedbackIndex);

    /// @notice Revokes a feedback the caller gave through the gateway. The money it counted stays counted.
    /// @param agentId The agent.
    /// @param feedbackIndex The gateway's feedback index.
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external;

    /// @notice The gateway's unrevoked feedback for the agent, weighted by what each paid: count,
    /// total paid, and the paid-weighted average value at the most frequent decimals (the lowest
    /// on a tie), as the registry's `getSummary` reports its unweighted one.
    /// @param agentId The agent.
    /// @param tag1 A tool id in decimal, or "" for every tool.
    /// @return count Feedback counted.
    /// @return paid Their total amount paid, in the token's base units.
    /// @return summaryValue Paid-weighted average value.
    /// @return summaryValueDecimals Its decimals.
    function getPaidSummary(uint256 agentId, string calldata tag1)
        external
        view
        returns (uint64 count, uint256 paid, int128 summaryValue, uint8 summaryValueDecimals);

    /// @notice Who paid for the gateway's feedback `feedbackIndex`, and how much it stands for.
    /// @param agentId The agent.
    /// @param feedbackIndex The gateway's feedback index.
    /// @return The payment (zero for an index the gateway never gave).
    function paymentOf(uint256 agentId, uint64 feedbackIndex) external view returns (Payment memory);

    /// @notice The cumulative amount of the channel's newest receipt used so far; 0 before any.
    /// @param channelId The channel.
    /// @return The counted amount.
    function countedOf(bytes32 channelId) external view returns (uint256);

    /// @notice The receipt's EIP-712 digest, as the agent's wallet signs it.
    /// @param receipt The receipt.
    /// @return The digest.
    function hashReceipt(Receipt calldata receipt) external view returns (bytes32);

    /// @notice The agreement's EIP-712 digest: the `termsHash` of its receipts.
    /// @param agreement The agreement.
    /// @return The digest.
    function hashAgreement(Agreement calldata agreement) external view returns (bytes32);

    /// @notice The identity registry whose agents' wallets sign receipts.
    function identityRegistry() external view returns (address);

    /// @notice The reputation registry the gateway gives feedback to.
    function reputationRegistry() external view returns (address);

    /// @notice The payment channels contract receipts are paid through (and signed under).
    function paymentChannels() external view returns (address);

    /// @notice The token channels must be in, so amounts are comparable.
    function token() external view returns (address);

    /// @notice The ERC-8257 tool registry agreements must name.
    function toolRegistry() external view returns (address);
}
