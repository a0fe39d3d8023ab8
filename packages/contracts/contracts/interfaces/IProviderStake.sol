// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReceiptFeedbackGateway} from "./IReceiptFeedbackGateway.sol";

/// @title IProviderStake
/// @notice Providers bond an ERC-20 stake behind their tools (one tool, or all of theirs with
/// tool id 0), withdraw it only after a delay, and lose it to anyone holding two of their
/// receipts that answer one request to a tool they declared deterministic two ways.
/// @dev Receipts and agreements are gotong's EIP-712 types in the domain
/// `{ name: "gotong", version: "1", chainId, verifyingContract: PaymentChannels }`, the same
/// structs as `IReceiptFeedbackGateway`'s.
interface IProviderStake {
    /// @notice One provider's stake behind one tool id (0: every tool of the provider).
    /// @param staked Bonded and not asked back.
    /// @param pending Asked back and still slashable until `unlockAt`.
    /// @param unlockAt When `pending` can be withdrawn (0 with nothing pending).
    struct Bucket {
        uint128 staked;
        uint128 pending;
        uint64 unlockAt;
    }

    /// @notice `provider` added `amount` to its stake behind `toolId`.
    event Staked(address indexed provider, uint256 indexed toolId, uint256 amount, uint256 staked);
    /// @notice `provider` asked `amount` back; all its pending stake for `toolId` unlocks at `unlockAt`.
    event WithdrawalRequested(address indexed provider, uint256 indexed toolId, uint256 amount, uint64 unlockAt);
    /// @notice `provider` took its pending stake for `toolId` back.
    event Withdrawn(address indexed provider, uint256 indexed toolId, uint256 amount);
    /// @notice `provider` declared the tool version with manifest hash `manifestHash` deterministic.
    event DeclaredDeterministic(address indexed provider, bytes32 indexed manifestHash);
    /// @notice `provider` answered request `requestHash` two ways: `slashed` was taken from its
    /// stake, `reward` of it paid to `consumer`, the rest locked here for good.
    event Slashed(
        address indexed provider,
        uint256 indexed toolId,
        bytes32 indexed requestHash,
        address consumer,
        address reporter,
        uint256 slashed,
        uint256 reward
    );

    /// @notice An amount of zero, or one that does not fit the stake's 128 bits.
    error InvalidAmount(uint256 amount);
    /// @notice The provider has less stake behind the tool than it asked back.
    error InsufficientStake(uint256 staked, uint256 requested);
    /// @notice Nothing is pending, or the delay has not passed.
    error WithdrawalLocked(uint64 unlockAt);
    /// @notice A receipt's `termsHash` is not the digest of the agreement given.
    error TermsMismatch(bytes32 termsHash, bytes32 agreementHash);
    /// @notice The receipts are for different requests.
    error DifferentRequests(bytes32 requestHashA, bytes32 requestHashB);
    /// @notice The receipts give the same response: no equivocation.
    error SameResponse(bytes32 responseHash);
    /// @notice The provider never declared the agreement's manifest deterministic.
    error NotDeterministic(address provider, bytes32 manifestHash);
    /// @notice A receipt is not signed by the agreement's provider.
    error InvalidReceiptSignature(address provider);
    /// @notice This request's equivocation was already slashed.
    error AlreadySlashed(address provider, bytes32 requestHash);
    /// @notice The provider has no stake behind the tool to slash.
    error NothingToSlash(address provider, uint256 toolId);

    /// @notice Bonds `amount` of the token (pulled from the caller) behind `toolId`, 0 for all
    /// the caller's tools.
    /// @param toolId The tool's id in the directory, or 0.
    /// @param amount Base units.
    function stake(uint256 toolId, uint256 amount) external;

    /// @notice Moves `amount` of the caller's stake behind `toolId` to pending; all of its pending
    /// stake for the tool unlocks `withdrawalDelay()` from now (a new request restarts the clock).
    /// Pending stake stays slashable.
    /// @param toolId The tool's id, or 0.
    /// @param amount Base units.
    function requestWithdrawal(uint256 toolId, uint256 amount) external;

    /// @notice Pays the caller's unlocked pending stake for `toolId` back to it.
    /// @param toolId The tool's id, or 0.
    /// @return amount What was paid.
    function withdraw(uint256 toolId) external returns (uint256 amount);

    /// @notice Declares, for good, that the caller's tool version with this manifest hash answers
    /// equal requests equally, which makes its receipts' equivocation slashable.
    /// @param manifestHash keccak256 of the version's canonical manifest.
    function declareDeterministic(bytes32 manifestHash) external;

    /// @notice Slashes the agreement's provider for two receipts it signed under `agreement` for
    /// one request with different responses, when it declared the agreement's manifest
    /// deterministic. Its stake behind the tool and behind all its tools (0), pending included,
    /// is taken: `REPORTER_SHARE_BPS` of it is paid to the agreement's consumer, the rest stays
    /// locked here. Anyone may submit; each request is slashed once.
    /// @param agreement The terms whose EIP-712 digest both receipts' `termsHash` is.
    /// @param receiptA One receipt.
    /// @param signatureA The provider's signature of it (65-byte ECDSA, or ERC-1271).
    /// @param receiptB The other receipt.
    /// @param signatureB Its signature.
    /// @return slashed The amount taken.
    function slashEquivocation(
        IReceiptFeedbackGateway.Agreement calldata agreement,
        IReceiptFeedbackGateway.Receipt calldata receiptA,
        bytes calldata signatureA,
        IReceiptFeedbackGateway.Receipt calldata receiptB,
        bytes calldata signatureB
    ) external returns (uint256 slashed);

    /// @notice A provider's bucket for one tool id.
    function bucketOf(address provider, uint256 toolId) external view returns (Bucket memory);

    /// @notice What backs a provider's tool and is not asked back: its stake behind `toolId`
    /// plus its stake behind all its tools (just the latter for `toolId` 0).
    function stakeOf(address provider, uint256 toolId) external view returns (uint256);

    /// @notice Whether the provider declared this manifest hash deterministic.
    function isDeterministic(address provider, bytes32 manifestHash) external view returns (bool);

    /// @notice Whether a request's equivocation was already slashed.
    function isSlashed(address provider, bytes32 requestHash) external view returns (bool);

    /// @notice Totals, for accounting: stake held (staked plus pending, all providers), slashed
    /// in all, paid to reporters in all, and locked here for good. The token balance of this
    /// contract is `held + locked` (plus anything sent to it directly).
    function totals() external view returns (uint256 held, uint256 slashed, uint256 rewarded, uint256 locked);

    /// @notice The receipt's EIP-712 digest, as the provider signs it.
    function hashReceipt(IReceiptFeedbackGateway.Receipt calldata receipt) external view returns (bytes32);

    /// @notice The agreement's EIP-712 digest: its receipts' `termsHash`.
    function hashAgreement(IReceiptFeedbackGateway.Agreement calldata agreement) external view returns (bytes32);

    /// @notice The staked ERC-20.
    function token() external view returns (address);

    /// @notice The payment channels contract receipts are signed under.
    function paymentChannels() external view returns (address);

    /// @notice Seconds between asking stake back and withdrawing it.
    function withdrawalDelay() external view returns (uint64);
}
