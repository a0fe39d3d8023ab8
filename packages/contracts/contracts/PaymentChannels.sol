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
/// - Vouchers are plain 65-byte ECDSA signatures by the payer (OpenZeppelin `ECDSA`, which rejects
///   high-s, bad-v and zero-address recoveries). ERC-1271 is deliberately not supported: a contract
///   signer could revoke a voucher after the service was delivered, and a voucher must stay good.
/// - Only the payee claims or closes cooperatively, so nobody can force a settlement on the payee's
///   behalf (or pick which of its vouchers settles).
/// - The payee may claim until the channel is closed, also after `closesAt`; the window only says
///   from when the payer may finalize.
/// - Ids hash the chain id, this contract, payer, payee, token and block number, then are rehashed
///   until unused. A closed channel keeps its Closed status, so no id is ever handed out twice
///   (a global nonce would cost another storage write per open).
/// - Tokens must move exact amounts. Deposits are checked against the balance change, so
///   fee-on-transfer tokens are refused; rebasing tokens are not supported. The token is the
///   payer's choice and may call back, so deposits (which measure a balance around a call) hold
///   a transient reentrancy guard; payouts finish every state change before the transfer.
/// - Storage is three slots per channel: amounts are uint96 (`MAX_DEPOSIT`), the challenge
///   period fits uint32 and `closesAt` uint48. Closing a channel clears it down to its Closed
///   status (the gas refund pays for much of the close); its history is in the events.
contract PaymentChannels is IPaymentChannels, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type hash of the voucher the payer signs.
    bytes32 public constant VOUCHER_TYPEHASH =
        keccak256("Voucher(bytes32 channelId,uint256 cumulativeAmount,uint64 calls,bytes32 termsHash)");

    /// @notice Shortest challenge period: one second, so devnets can close quickly while
    /// `startClose` and `finalize` can never share a block. Payees should demand far more.
    uint64 public constant MIN_CHALLENGE_PERIOD = 1;

    /// @notice Longest challenge period: 30 days.
    uint64 public constant MAX_CHALLENGE_PERIOD = 30 days;

    /// @notice Largest total deposit of one channel (2^96 - 1 base units, ~7.9e22 whole 6-decimal tokens).
    uint256 public constant MAX_DEPOSIT = type(uint96).max;

    /// Packed channel: payer | deposit, payee | claimed, token | challengePeriod | closesAt | status.
    struct ChannelSlots {
        address payer;
        uint96 deposit;
        address payee;
        uint96 claimed;
        address token;
        uint32 challengePeriod;
        uint48 closesAt;
        Status status;
    }

    mapping(bytes32 channelId => ChannelSlots) private _channels;

    /// @notice Deploys the contract with the EIP-712 domain `{ name: "gotong", version: "1" }`.
    constructor() EIP712("gotong", "1") {}

    /// @inheritdoc IPaymentChannels
    function open(address payee, address token, uint256 deposit, uint64 challengePeriod)
        external
        nonReentrant
        returns (bytes32 channelId)
    {
        return _open(payee, token, deposit, challengePeriod);
    }

    /// @inheritdoc IPaymentChannels
    function openWithPermit(
        address payee,
        address token,
        uint256 deposit,
        uint64 challengePeriod,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (bytes32 channelId) {
        if (token.code.length == 0) revert InvalidToken(token);
        // Anyone can submit a permit seen in the mempool first; then it is spent but the
        // allowance is there, so only a missing allowance is an error.
        try IERC20Permit(token).permit(msg.sender, address(this), deposit, deadline, v, r, s) {}
        catch {
            uint256 allowance = IERC20(token).allowance(msg.sender, address(this));
            if (allowance < deposit) revert PermitFailed(allowance, deposit);
        }
        return _open(payee, token, deposit, challengePeriod);
    }

    /// @inheritdoc IPaymentChannels
    function topUp(bytes32 channelId, uint256 amount) external nonReentrant {
        ChannelSlots storage channel = _channels[channelId];
        Status status = channel.status;
        if (status != Status.Open) _revertNotOpen(channelId, status);
        if (msg.sender != channel.payer) revert NotPayer(channelId, msg.sender);
        if (amount == 0) revert ZeroAmount();
        uint256 deposit = channel.deposit + amount;
        if (deposit > MAX_DEPOSIT) revert DepositTooLarge(deposit);

        // casting to 'uint96' is safe because deposit <= MAX_DEPOSIT was checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        channel.deposit = uint96(deposit);
        emit ChannelToppedUp(channelId, amount, deposit);
        _pull(channel.token, amount);
    }

    /// @inheritdoc IPaymentChannels
    function claim(
        bytes32 channelId,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes calldata signature
    ) external {
        ChannelSlots memory channel = _channels[channelId];
        _requireNotClosed(channelId, channel.status);
        if (msg.sender != channel.payee) revert NotPayee(channelId, msg.sender);
        if (cumulativeAmount <= channel.claimed) revert StaleVoucher(cumulativeAmount, channel.claimed);
        if (cumulativeAmount > channel.deposit) revert VoucherExceedsDeposit(cumulativeAmount, channel.deposit);
        _verifyVoucher(channel.payer, channelId, cumulativeAmount, calls, termsHash, signature);

        // casting to 'uint96' is safe because cumulativeAmount <= deposit <= MAX_DEPOSIT
        // forge-lint: disable-next-line(unsafe-typecast)
        _channels[channelId].claimed = uint96(cumulativeAmount);
        uint256 paid = cumulativeAmount - channel.claimed;
        emit Claimed(channelId, cumulativeAmount, calls, termsHash, paid);
        IERC20(channel.token).safeTransfer(channel.payee, paid);
    }

    /// @inheritdoc IPaymentChannels
    function startClose(bytes32 channelId) external {
        ChannelSlots storage channel = _channels[channelId];
        Status status = channel.status;
        if (status != Status.Open) _revertNotOpen(channelId, status);
        if (msg.sender != channel.payer) revert NotPayer(channelId, msg.sender);

        uint48 closesAt = uint48(block.timestamp) + channel.challengePeriod;
        channel.closesAt = closesAt;
        channel.status = Status.Closing;
        emit CloseStarted(channelId, closesAt);
    }

    /// @inheritdoc IPaymentChannels
    function finalize(bytes32 channelId) external {
        ChannelSlots memory channel = _channels[channelId];
        if (channel.status != Status.Closing) {
            if (channel.status == Status.Open) revert ChannelNotClosing(channelId);
            _requireNotClosed(channelId, channel.status);
        }
        // A validator can skew the clock by seconds, not by a challenge period.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < channel.closesAt) revert ChallengePeriodActive(channelId, channel.closesAt);

        _markClosed(channelId);
        uint256 refund = channel.deposit - channel.claimed;
        emit ChannelClosed(channelId, channel.claimed, refund);
        if (refund != 0) IERC20(channel.token).safeTransfer(channel.payer, refund);
    }

    /// @inheritdoc IPaymentChannels
    function cooperativeClose(
        bytes32 channelId,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes calldata signature
    ) external {
        ChannelSlots memory channel = _channels[channelId];
        _requireNotClosed(channelId, channel.status);
        if (msg.sender != channel.payee) revert NotPayee(channelId, msg.sender);
        if (cumulativeAmount < channel.claimed) revert StaleVoucher(cumulativeAmount, channel.claimed);
        if (cumulativeAmount > channel.deposit) revert VoucherExceedsDeposit(cumulativeAmount, channel.deposit);
        _verifyVoucher(channel.payer, channelId, cumulativeAmount, calls, termsHash, signature);

        _markClosed(channelId);
        uint256 paid = cumulativeAmount - channel.claimed;
        uint256 refund = channel.deposit - cumulativeAmount;
        emit Claimed(channelId, cumulativeAmount, calls, termsHash, paid);
        emit ChannelClosed(channelId, cumulativeAmount, refund);
        IERC20 token = IERC20(channel.token);
        if (paid != 0) token.safeTransfer(channel.payee, paid);
        if (refund != 0) token.safeTransfer(channel.payer, refund);
    }

    /// @inheritdoc IPaymentChannels
    function getChannel(bytes32 channelId) external view returns (Channel memory) {
        ChannelSlots memory channel = _channels[channelId];
        return Channel({
            payer: channel.payer,
            payee: channel.payee,
            token: channel.token,
            deposit: channel.deposit,
            claimed: channel.claimed,
            challengePeriod: channel.challengePeriod,
            closesAt: channel.closesAt,
            status: channel.status
        });
    }

    /// @inheritdoc IPaymentChannels
    function hashVoucher(bytes32 channelId, uint256 cumulativeAmount, uint64 calls, bytes32 termsHash)
        external
        view
        returns (bytes32)
    {
        return _hashVoucher(channelId, cumulativeAmount, calls, termsHash);
    }

    /// @inheritdoc IPaymentChannels
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _open(address payee, address token, uint256 deposit, uint64 challengePeriod)
        private
        returns (bytes32 channelId)
    {
        if (payee == address(0) || payee == msg.sender) revert InvalidPayee(payee);
        if (deposit == 0) revert ZeroAmount();
        if (deposit > MAX_DEPOSIT) revert DepositTooLarge(deposit);
        if (challengePeriod < MIN_CHALLENGE_PERIOD || challengePeriod > MAX_CHALLENGE_PERIOD) {
            revert ChallengePeriodOutOfRange(challengePeriod);
        }
        if (token.code.length == 0) revert InvalidToken(token);

        channelId = keccak256(abi.encode(block.chainid, address(this), msg.sender, payee, token, block.number));
        // An id in use or used before has a status (closing keeps it). Probing costs nothing
        // extra: the slot read here is written below anyway.
        while (_channels[channelId].status != Status.None) {
            channelId = keccak256(abi.encode(channelId));
        }
        // casting to 'uint96' and 'uint32' is safe because both were range-checked above
        _channels[channelId] = ChannelSlots({
            payer: msg.sender,
            // forge-lint: disable-next-line(unsafe-typecast)
            deposit: uint96(deposit),
            payee: payee,
            claimed: 0,
            token: token,
            // forge-lint: disable-next-line(unsafe-typecast)
            challengePeriod: uint32(challengePeriod),
            closesAt: 0,
            status: Status.Open
        });
        emit ChannelOpened(channelId, msg.sender, payee, token, deposit, challengePeriod);
        _pull(token, deposit);
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

    function _verifyVoucher(
        address payer,
        bytes32 channelId,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes calldata signature
    ) private view {
        (address signer, ECDSA.RecoverError recoverError,) = ECDSA.tryRecoverCalldata(
            _hashVoucher(channelId, cumulativeAmount, calls, termsHash), signature
        );
        if (recoverError != ECDSA.RecoverError.NoError) revert MalformedSignature();
        if (signer != payer) revert WrongSigner(signer, payer);
    }

    function _hashVoucher(bytes32 channelId, uint256 cumulativeAmount, uint64 calls, bytes32 termsHash)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, cumulativeAmount, calls, termsHash)));
    }

    /// Clears a channel but for its status, which must stay set so that its id is never reused.
    function _markClosed(bytes32 channelId) private {
        delete _channels[channelId];
        _channels[channelId].status = Status.Closed;
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
