// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IPaymentChannels} from "./interfaces/IPaymentChannels.sol";

/// @title PaymentChannels
/// @notice Unidirectional ERC-20 payment channels: a payer deposits once, signs a cumulative
/// EIP-712 voucher per tool call off chain, and the payee claims the newest voucher whenever it
/// likes. `startClose` gives the payee `challengePeriod` seconds to claim before `finalize`
/// returns the rest; `cooperativeClose` settles both sides at once.
/// @dev Design choices:
/// - A channel's fixed parameters (payer, payee, token, challenge period and a salt) are its
///   `ChannelKey`, and its id commits to them: `keccak256(abi.encode(chainId, this, key))`.
///   Storage keeps only what changes, in one slot (deposit, claimed, closesAt, status), so
///   opening writes one fresh slot instead of three. Every call passes the key in calldata and
///   the contract rehashes it; a key with any field wrong hashes to an id that was never opened
///   and reverts `ChannelNotFound`, so nobody can act on a channel with parameters it was not
///   opened with.
/// - The chain id in the id is the deployment chain's, kept immutable, not `block.chainid`: a
///   fork that changes the chain id would otherwise strand every open deposit on it, since no key
///   would hash to a stored id any more. Vouchers stay bound to the current chain by the EIP-712
///   domain, which OpenZeppelin rebuilds when the chain id changes.
/// - Ids are unique forever: `open` requires the caller to be the key's payer (nobody else can
///   take a payer's key first) and refuses a key whose id has any status. Closing leaves the
///   status at Closed, so a key never opens twice and a voucher signed for an old channel can
///   never be redeemed against a new deposit. Payers pick a fresh salt per channel.
/// - Vouchers are plain 65-byte ECDSA signatures by the payer (OpenZeppelin `ECDSA`, which rejects
///   high-s, bad-v and zero-address recoveries). ERC-1271 is deliberately not supported: a contract
///   signer could revoke a voucher after the service was delivered, and a voucher must stay good.
/// - Only the payee claims or closes cooperatively, so nobody can force a settlement on the payee's
///   behalf (or pick which of its vouchers settles).
/// - The payee may claim until the channel is closed, also after `closesAt`; the window only says
///   from when the payer may finalize.
/// - Tokens must move exact amounts. Deposits are checked against the balance change, so
///   fee-on-transfer tokens are refused; rebasing tokens are not supported. The token is the
///   payer's choice and may call back, so deposits (which measure a balance around a call) hold
///   a transient reentrancy guard; payouts finish every state change before the transfer.
/// - Amounts are uint96 (`MAX_DEPOSIT`) and `closesAt` uint48, which with the status fill one
///   slot. Closing clears the slot down to its Closed status, so `getChannel` reports nothing
///   stale; the channel's history is in the events.
contract PaymentChannels is IPaymentChannels, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type hash of the voucher the payer signs.
    bytes32 public constant VOUCHER_TYPEHASH = keccak256(
        "Voucher(bytes32 channelId,uint256 cumulativeAmount,uint64 calls,bytes32 termsHash,bytes32 envelopeHash)"
    );

    /// @notice Shortest challenge period: one second, so devnets can close quickly while
    /// `startClose` and `finalize` can never share a block. Payees should demand far more.
    uint64 public constant MIN_CHALLENGE_PERIOD = 1;

    /// @notice Longest challenge period: 30 days.
    uint64 public constant MAX_CHALLENGE_PERIOD = 30 days;

    /// @notice Largest total deposit of one channel (2^96 - 1 base units, ~7.9e22 whole 6-decimal tokens).
    uint256 public constant MAX_DEPOSIT = type(uint96).max;

    /// The chain id hashed into channel ids: the one this contract was deployed on.
    uint256 private immutable _DEPLOYMENT_CHAIN_ID;

    /// What changes in a channel, packed in one slot (248 bits).
    struct Slot {
        uint96 deposit;
        uint96 claimed;
        uint48 closesAt;
        Status status;
    }

    mapping(bytes32 channelId => Slot) private _slots;

    /// @notice Deploys the contract with the EIP-712 domain `{ name: "gotong", version: "1" }`.
    constructor() EIP712("gotong", "1") {
        _DEPLOYMENT_CHAIN_ID = block.chainid;
    }

    /// @inheritdoc IPaymentChannels
    function open(ChannelKey calldata key, uint256 deposit) external nonReentrant returns (bytes32 channelId) {
        channelId = _create(key, deposit);
        _pull(key.token, deposit);
    }

    /// @inheritdoc IPaymentChannels
    function openWithPermit(ChannelKey calldata key, uint256 deposit, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
        returns (bytes32 channelId)
    {
        channelId = _create(key, deposit);
        address token = key.token;
        // Anyone can submit a permit seen in the mempool first; then it is spent but the
        // allowance is there, so only a missing allowance is an error.
        try IERC20Permit(token).permit(msg.sender, address(this), deposit, deadline, v, r, s) {}
        catch {
            uint256 allowance = IERC20(token).allowance(msg.sender, address(this));
            if (allowance < deposit) revert PermitFailed(allowance, deposit);
        }
        _pull(token, deposit);
    }

    /// @inheritdoc IPaymentChannels
    function topUp(ChannelKey calldata key, uint256 amount) external nonReentrant {
        bytes32 channelId = _channelId(key);
        Slot storage slot = _slots[channelId];
        Status status = slot.status;
        if (status != Status.Open) _revertNotOpen(channelId, status);
        if (msg.sender != key.payer) revert NotPayer(channelId, msg.sender);
        if (amount == 0) revert ZeroAmount();
        uint256 deposit = slot.deposit + amount;
        if (deposit > MAX_DEPOSIT) revert DepositTooLarge(deposit);

        // casting to 'uint96' is safe because deposit <= MAX_DEPOSIT was checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        slot.deposit = uint96(deposit);
        emit ChannelToppedUp(channelId, amount, deposit);
        _pull(key.token, amount);
    }

    /// @inheritdoc IPaymentChannels
    function claim(
        ChannelKey calldata key,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes32 envelopeHash,
        bytes calldata signature
    ) external {
        bytes32 channelId = _channelId(key);
        Slot memory slot = _slots[channelId];
        _requireNotClosed(channelId, slot.status);
        if (msg.sender != key.payee) revert NotPayee(channelId, msg.sender);
        if (cumulativeAmount <= slot.claimed) revert StaleVoucher(cumulativeAmount, slot.claimed);
        if (cumulativeAmount > slot.deposit) revert VoucherExceedsDeposit(cumulativeAmount, slot.deposit);
        _verifyVoucher(key.payer, channelId, cumulativeAmount, calls, termsHash, envelopeHash, signature);

        // casting to 'uint96' is safe because cumulativeAmount <= deposit <= MAX_DEPOSIT
        // forge-lint: disable-next-line(unsafe-typecast)
        _slots[channelId].claimed = uint96(cumulativeAmount);
        uint256 paid = cumulativeAmount - slot.claimed;
        emit Claimed(channelId, cumulativeAmount, calls, termsHash, paid);
        IERC20(key.token).safeTransfer(msg.sender, paid);
    }

    /// @inheritdoc IPaymentChannels
    function startClose(ChannelKey calldata key) external {
        bytes32 channelId = _channelId(key);
        Slot storage slot = _slots[channelId];
        Status status = slot.status;
        if (status != Status.Open) _revertNotOpen(channelId, status);
        if (msg.sender != key.payer) revert NotPayer(channelId, msg.sender);

        // casting to 'uint48' is safe because an opened key's period is at most MAX_CHALLENGE_PERIOD
        // forge-lint: disable-next-line(unsafe-typecast)
        uint48 closesAt = uint48(block.timestamp) + uint48(key.challengePeriod);
        slot.closesAt = closesAt;
        slot.status = Status.Closing;
        emit CloseStarted(channelId, closesAt);
    }

    /// @inheritdoc IPaymentChannels
    function finalize(ChannelKey calldata key) external {
        bytes32 channelId = _channelId(key);
        Slot memory slot = _slots[channelId];
        if (slot.status != Status.Closing) {
            if (slot.status == Status.Open) revert ChannelNotClosing(channelId);
            _requireNotClosed(channelId, slot.status);
        }
        // A validator can skew the clock by seconds, not by a challenge period.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < slot.closesAt) revert ChallengePeriodActive(channelId, slot.closesAt);

        _markClosed(channelId);
        uint256 refund = slot.deposit - slot.claimed;
        emit ChannelClosed(channelId, slot.claimed, refund);
        if (refund != 0) IERC20(key.token).safeTransfer(key.payer, refund);
    }

    /// @inheritdoc IPaymentChannels
    function cooperativeClose(
        ChannelKey calldata key,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes32 envelopeHash,
        bytes calldata signature
    ) external {
        bytes32 channelId = _channelId(key);
        Slot memory slot = _slots[channelId];
        _requireNotClosed(channelId, slot.status);
        if (msg.sender != key.payee) revert NotPayee(channelId, msg.sender);
        if (cumulativeAmount < slot.claimed) revert StaleVoucher(cumulativeAmount, slot.claimed);
        if (cumulativeAmount > slot.deposit) revert VoucherExceedsDeposit(cumulativeAmount, slot.deposit);
        address payer = key.payer;
        _verifyVoucher(payer, channelId, cumulativeAmount, calls, termsHash, envelopeHash, signature);

        _markClosed(channelId);
        uint256 paid = cumulativeAmount - slot.claimed;
        uint256 refund = slot.deposit - cumulativeAmount;
        emit Claimed(channelId, cumulativeAmount, calls, termsHash, paid);
        emit ChannelClosed(channelId, cumulativeAmount, refund);
        IERC20 token = IERC20(key.token);
        if (paid != 0) token.safeTransfer(msg.sender, paid);
        if (refund != 0) token.safeTransfer(payer, refund);
    }

    /// @inheritdoc IPaymentChannels
    function channelIdOf(ChannelKey calldata key) external view returns (bytes32) {
        return _channelId(key);
    }

    /// @inheritdoc IPaymentChannels
    function getChannel(bytes32 channelId) external view returns (Channel memory) {
        Slot memory slot = _slots[channelId];
        return Channel({deposit: slot.deposit, claimed: slot.claimed, closesAt: slot.closesAt, status: slot.status});
    }

    /// @inheritdoc IPaymentChannels
    function hashVoucher(
        bytes32 channelId,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes32 envelopeHash
    ) external view returns (bytes32) {
        return _hashVoucher(channelId, cumulativeAmount, calls, termsHash, envelopeHash);
    }

    /// @inheritdoc IPaymentChannels
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// Checks a new channel's key and deposit, records it and announces it; the caller pulls the deposit.
    function _create(ChannelKey calldata key, uint256 deposit) private returns (bytes32 channelId) {
        channelId = _channelId(key);
        if (msg.sender != key.payer) revert NotPayer(channelId, msg.sender);
        address payee = key.payee;
        if (payee == address(0) || payee == msg.sender) revert InvalidPayee(payee);
        if (deposit == 0) revert ZeroAmount();
        if (deposit > MAX_DEPOSIT) revert DepositTooLarge(deposit);
        uint64 challengePeriod = key.challengePeriod;
        if (challengePeriod < MIN_CHALLENGE_PERIOD || challengePeriod > MAX_CHALLENGE_PERIOD) {
            revert ChallengePeriodOutOfRange(challengePeriod);
        }
        address token = key.token;
        if (token.code.length == 0) revert InvalidToken(token);
        // Open, closing and closed ids all have a status: a key opens once, ever.
        if (_slots[channelId].status != Status.None) revert ChannelExists(channelId);

        // casting to 'uint96' is safe because deposit <= MAX_DEPOSIT was checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        _slots[channelId] = Slot({deposit: uint96(deposit), claimed: 0, closesAt: 0, status: Status.Open});
        emit ChannelOpened(channelId, msg.sender, payee, token, deposit, challengePeriod, key.salt);
    }

    /// Pulls `amount` from the caller and checks it all arrived.
    function _pull(address token, uint256 amount) private {
        IERC20 erc20 = IERC20(token);
        uint256 before = erc20.balanceOf(address(this));
        erc20.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = erc20.balanceOf(address(this));
        received = received > before ? received - before : 0;
        if (received < amount) revert DepositNotReceived(amount, received);
    }

    function _channelId(ChannelKey calldata key) private view returns (bytes32) {
        return keccak256(abi.encode(_DEPLOYMENT_CHAIN_ID, address(this), key));
    }

    function _verifyVoucher(
        address payer,
        bytes32 channelId,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes32 envelopeHash,
        bytes calldata signature
    ) private view {
        (address signer, ECDSA.RecoverError recoverError,) = ECDSA.tryRecoverCalldata(
            _hashVoucher(channelId, cumulativeAmount, calls, termsHash, envelopeHash), signature
        );
        if (recoverError != ECDSA.RecoverError.NoError) revert MalformedSignature();
        if (signer != payer) revert WrongSigner(signer, payer);
    }

    function _hashVoucher(
        bytes32 channelId,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes32 envelopeHash
    ) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, cumulativeAmount, calls, termsHash, envelopeHash))
        );
    }

    /// Clears a channel but for its status, which must stay set so that its key never opens again.
    function _markClosed(bytes32 channelId) private {
        _slots[channelId] = Slot({deposit: 0, claimed: 0, closesAt: 0, status: Status.Closed});
    }

    /// Reverts for a channel that does not exist or is closed.
    function _requireNotClosed(bytes32 channelId, Status status) private pure {
        if (status == Status.None) revert ChannelNotFound(channelId);
        if (status == Status.Closed) revert ChannelIsClosed(channelId);
    }

    /// Reverts with the reason a channel is not `Open`.
    function _revertNotOpen(bytes32 channelId, Status status) private pure {
        _requireNotClosed(channelId, status);
        revert ChannelIsClosing(channelId);
    }
}
