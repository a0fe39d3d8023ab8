// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IProviderStake} from "./interfaces/IProviderStake.sol";
import {IReceiptFeedbackGateway} from "./interfaces/IReceiptFeedbackGateway.sol";
import {WalletSignatures} from "./utils/WalletSignatures.sol";

/// @title ProviderStake
/// @notice Stake that providers bond behind their tools, withdrawn after a delay, and slashed
/// by proof of equivocation: two receipts the provider signed for one request to a tool it
/// declared deterministic, with different responses. No arbiter: the proof is the provider's
/// own signatures.
/// @dev Why the proof is sound:
/// - A receipt's `requestHash` is `contentHash({ tool, termsHash, input })`, computed by the
///   provider from the request it served (it covers neither the channel nor the call number),
///   so two calls with one input under one agreement share it; `responseHash` is the hash of the
///   output it returned. Both are under the provider's EIP-712 signature.
/// - Both receipts must carry the digest of the one agreement given, so they are for the same
///   tool version (`toolId`, `manifestHash`) and provider; the signer checked is that
///   agreement's `provider`, the channel's payee.
/// - Determinism cannot be read from a manifest on chain (a JSON parser would be needed to know
///   where a `"deterministic":true` sits), so the provider declares the manifest hash
///   deterministic here, irrevocably: the manifest's `deterministic` flag is the promise
///   consumers read, the declaration is what makes it slashable, and a manifest hash names one
///   immutable version, so a later version can say otherwise without unsaying this one.
/// - Pending withdrawals stay slashable until they leave, so a provider cannot lie and take its
///   stake out within the delay; a consumer has `withdrawalDelay` to report.
/// - The reward goes to the agreement's consumer, whoever submits: the evidence is the
///   consumer's, and a copied transaction earns the copier nothing. It is a share, not all: a
///   provider reporting itself from its own consumer account still loses the rest.
/// - Each request is slashed once; stake is taken whole (tool bucket and the all-tools bucket).
contract ProviderStake is IProviderStake {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type hash of a gotong receipt.
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(bytes32 termsHash,bytes32 channelId,uint64 calls,uint256 cumulativeAmount,bytes32 requestHash,bytes32 responseHash,uint64 servedAt)"
    );
    /// @notice EIP-712 type hash of a gotong agreement.
    bytes32 public constant AGREEMENT_TYPEHASH = keccak256(
        "Agreement(address consumer,address provider,address registry,uint256 toolId,bytes32 manifestHash,address token,uint256 pricePerCall,uint64 maxCalls,uint64 validUntil,uint32 p95LatencyMs,uint32 callsPerMinute,bytes32 nonce)"
    );
    /// @notice The consumer's share of a slash, in basis points.
    uint256 public constant REPORTER_SHARE_BPS = 5_000;

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    IERC20 private immutable _TOKEN;
    address private immutable _CHANNELS;
    uint64 private immutable _DELAY;
    uint256 private immutable _CACHED_CHAIN_ID;
    bytes32 private immutable _CACHED_DOMAIN_SEPARATOR;

    mapping(address provider => mapping(uint256 toolId => Bucket)) private _buckets;
    mapping(address provider => mapping(bytes32 manifestHash => bool)) private _deterministic;
    mapping(address provider => mapping(bytes32 requestHash => bool)) private _slashed;
    uint256 private _held;
    uint256 private _slashedTotal;
    uint256 private _rewarded;
    uint256 private _locked;

    /// @notice Deploys the stake registry.
    /// @param token_ The ERC-20 stakes are held in.
    /// @param channels gotong's payment channels (receipts are signed in its EIP-712 domain).
    /// @param withdrawalDelay_ Seconds from asking stake back to withdrawing it.
    constructor(IERC20 token_, address channels, uint64 withdrawalDelay_) {
        _TOKEN = token_;
        _CHANNELS = channels;
        _DELAY = withdrawalDelay_;
        _CACHED_CHAIN_ID = block.chainid;
        _CACHED_DOMAIN_SEPARATOR = _buildDomainSeparator();
    }

    /// @inheritdoc IProviderStake
    function stake(uint256 toolId, uint256 amount) external {
        Bucket storage bucket = _buckets[msg.sender][toolId];
        if (amount == 0 || amount > type(uint128).max - bucket.staked - bucket.pending) revert InvalidAmount(amount);
        // casting to 'uint128' is safe because of the check above
        // forge-lint: disable-next-line(unsafe-typecast)
        bucket.staked += uint128(amount);
        _held += amount;
        emit Staked(msg.sender, toolId, amount, bucket.staked);
        _TOKEN.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IProviderStake
    function requestWithdrawal(uint256 toolId, uint256 amount) external {
        Bucket storage bucket = _buckets[msg.sender][toolId];
        if (amount == 0) revert InvalidAmount(amount);
        if (amount > bucket.staked) revert InsufficientStake(bucket.staked, amount);
        // casting to 'uint128' is safe because amount <= staked
        // forge-lint: disable-next-line(unsafe-typecast)
        bucket.staked -= uint128(amount);
        // forge-lint: disable-next-line(unsafe-typecast)
        bucket.pending += uint128(amount);
        uint64 unlockAt = uint64(block.timestamp) + _DELAY;
        bucket.unlockAt = unlockAt;
        emit WithdrawalRequested(msg.sender, toolId, amount, unlockAt);
    }

    /// @inheritdoc IProviderStake
    function withdraw(uint256 toolId) external returns (uint256 amount) {
        Bucket storage bucket = _buckets[msg.sender][toolId];
        amount = bucket.pending;
        if (amount == 0 || block.timestamp < bucket.unlockAt) revert WithdrawalLocked(bucket.unlockAt);
        bucket.pending = 0;
        bucket.unlockAt = 0;
        _held -= amount;
        emit Withdrawn(msg.sender, toolId, amount);
        _TOKEN.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IProviderStake
    function declareDeterministic(bytes32 manifestHash) external {
        _deterministic[msg.sender][manifestHash] = true;
        emit DeclaredDeterministic(msg.sender, manifestHash);
    }

    /// @inheritdoc IProviderStake
    function slashEquivocation(
        IReceiptFeedbackGateway.Agreement calldata agreement,
        IReceiptFeedbackGateway.Receipt calldata receiptA,
        bytes calldata signatureA,
        IReceiptFeedbackGateway.Receipt calldata receiptB,
        bytes calldata signatureB
    ) external returns (uint256 slashed) {
        address provider = agreement.provider;
        bytes32 requestHash = receiptA.requestHash;
        _checkEvidence(agreement, receiptA, receiptB);
        if (!WalletSignatures.isValidNow(provider, _hashReceipt(receiptA), signatureA)) {
            revert InvalidReceiptSignature(provider);
        }
        if (!WalletSignatures.isValidNow(provider, _hashReceipt(receiptB), signatureB)) {
            revert InvalidReceiptSignature(provider);
        }
        if (_slashed[provider][requestHash]) revert AlreadySlashed(provider, requestHash);
        _slashed[provider][requestHash] = true;

        slashed = _empty(provider, agreement.toolId);
        if (agreement.toolId != 0) slashed += _empty(provider, 0);
        if (slashed == 0) revert NothingToSlash(provider, agreement.toolId);
        uint256 reward = slashed * REPORTER_SHARE_BPS / 10_000;
        _held -= slashed;
        _slashedTotal += slashed;
        _rewarded += reward;
        _locked += slashed - reward;
        emit Slashed(provider, agreement.toolId, requestHash, agreement.consumer, msg.sender, slashed, reward);
        _TOKEN.safeTransfer(agreement.consumer, reward);
    }

    /// @inheritdoc IProviderStake
    function bucketOf(address provider, uint256 toolId) external view returns (Bucket memory) {
        return _buckets[provider][toolId];
    }

    /// @inheritdoc IProviderStake
    function stakeOf(address provider, uint256 toolId) external view returns (uint256) {
        uint256 all = _buckets[provider][0].staked;
        return toolId == 0 ? all : all + _buckets[provider][toolId].staked;
    }

    /// @inheritdoc IProviderStake
    function isDeterministic(address provider, bytes32 manifestHash) external view returns (bool) {
        return _deterministic[provider][manifestHash];
    }

    /// @inheritdoc IProviderStake
    function isSlashed(address provider, bytes32 requestHash) external view returns (bool) {
        return _slashed[provider][requestHash];
    }

    /// @inheritdoc IProviderStake
    function totals() external view returns (uint256 held, uint256 slashed, uint256 rewarded, uint256 locked) {
        return (_held, _slashedTotal, _rewarded, _locked);
    }

    /// @inheritdoc IProviderStake
    function hashReceipt(IReceiptFeedbackGateway.Receipt calldata receipt) external view returns (bytes32) {
        return _hashReceipt(receipt);
    }

    /// @inheritdoc IProviderStake
    function hashAgreement(IReceiptFeedbackGateway.Agreement calldata agreement) external view returns (bytes32) {
        return _hashAgreement(agreement);
    }

    /// @inheritdoc IProviderStake
    function token() external view returns (address) {
        return address(_TOKEN);
    }

    /// @inheritdoc IProviderStake
    function paymentChannels() external view returns (address) {
        return _CHANNELS;
    }

    /// @inheritdoc IProviderStake
    function withdrawalDelay() external view returns (uint64) {
        return _DELAY;
    }

    /// Checks that both receipts are under the agreement, for one request, with two responses,
    /// of a version the provider declared deterministic.
    function _checkEvidence(
        IReceiptFeedbackGateway.Agreement calldata agreement,
        IReceiptFeedbackGateway.Receipt calldata receiptA,
        IReceiptFeedbackGateway.Receipt calldata receiptB
    ) private view {
        bytes32 termsHash = _hashAgreement(agreement);
        if (receiptA.termsHash != termsHash) revert TermsMismatch(receiptA.termsHash, termsHash);
        if (receiptB.termsHash != termsHash) revert TermsMismatch(receiptB.termsHash, termsHash);
        if (receiptA.requestHash != receiptB.requestHash) {
            revert DifferentRequests(receiptA.requestHash, receiptB.requestHash);
        }
        if (receiptA.responseHash == receiptB.responseHash) revert SameResponse(receiptA.responseHash);
        if (!_deterministic[agreement.provider][agreement.manifestHash]) {
            revert NotDeterministic(agreement.provider, agreement.manifestHash);
        }
    }

    /// Empties a bucket, pending included; returns what it held.
    function _empty(address provider, uint256 toolId) private returns (uint256 amount) {
        Bucket storage bucket = _buckets[provider][toolId];
        amount = uint256(bucket.staked) + bucket.pending;
        if (amount == 0) return 0;
        delete _buckets[provider][toolId];
    }

    function _hashReceipt(IReceiptFeedbackGateway.Receipt calldata receipt) private view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(_domainSeparator(), keccak256(abi.encode(RECEIPT_TYPEHASH, receipt)));
    }

    function _hashAgreement(IReceiptFeedbackGateway.Agreement calldata agreement) private view returns (bytes32) {
        return
            MessageHashUtils.toTypedDataHash(_domainSeparator(), keccak256(abi.encode(AGREEMENT_TYPEHASH, agreement)));
    }

    /// gotong's domain for the channels contract, rebuilt if the chain id changed (a fork).
    function _domainSeparator() private view returns (bytes32) {
        return block.chainid == _CACHED_CHAIN_ID ? _CACHED_DOMAIN_SEPARATOR : _buildDomainSeparator();
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("gotong"), keccak256("1"), block.chainid, _CHANNELS));
    }
}
