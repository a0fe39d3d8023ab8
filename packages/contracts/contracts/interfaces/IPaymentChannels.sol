// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IPaymentChannels
/// @notice Unidirectional ERC-20 payment channels from a payer (an agent consuming tools) to a
/// payee (an agent providing them), settled with cumulative EIP-712 vouchers.
/// @dev A channel's fixed parameters are its `ChannelKey`; its id is a hash of the key, and every
/// call after `open` passes the key again instead of the contract storing it. Voucher typed data:
/// `Voucher(bytes32 channelId,uint256 cumulativeAmount,uint64 calls,bytes32 termsHash,bytes32 envelopeHash)`
/// in the domain `{ name: "gotong", version: "1", chainId, verifyingContract }`.
interface IPaymentChannels {
    /// @notice Where a channel is in its life. `None` means no channel has that id.
    enum Status {
        None,
        Open,
        Closing,
        Closed
    }

    /// @notice The parameters a channel is opened with and identified by; they never change.
    /// @param payer Funds the channel and signs vouchers; must be the caller of `open`.
    /// @param payee Receives payments; the only account that can claim.
    /// @param token The ERC-20 the deposit is held in.
    /// @param challengePeriod Seconds between `startClose` and the earliest `finalize`.
    /// @param salt The payer's choice, to open several channels with the same parameters.
    struct ChannelKey {
        address payer;
        address payee;
        address token;
        uint64 challengePeriod;
        bytes32 salt;
    }

    /// @notice A channel's changing state as `getChannel` reports it (stored packed in one slot).
    /// @param deposit Total deposited (open plus top-ups), in token base units.
    /// @param claimed Cumulative amount already paid to the payee.
    /// @param closesAt When `finalize` becomes possible; 0 until `startClose`.
    /// @param status Open, Closing or Closed (None for an unknown id).
    struct Channel {
        uint256 deposit;
        uint256 claimed;
        uint64 closesAt;
        Status status;
    }

    /// @notice A channel was opened; its id is never used again. The key is the id's preimage:
    /// `(payer, payee, token, challengePeriod, salt)`.
    event ChannelOpened(
        bytes32 indexed channelId,
        address indexed payer,
        address indexed payee,
        address token,
        uint256 deposit,
        uint64 challengePeriod,
        bytes32 salt
    );

    /// @notice The payer added `amount`; `deposit` is the new total.
    event ChannelToppedUp(bytes32 indexed channelId, uint256 amount, uint256 deposit);

    /// @notice A voucher was redeemed: `paid` (the increase over the previous claim) went to the payee.
    event Claimed(bytes32 indexed channelId, uint256 cumulativeAmount, uint64 calls, bytes32 termsHash, uint256 paid);

    /// @notice The payer started the challenge window; the payee can claim until the channel is finalized.
    event CloseStarted(bytes32 indexed channelId, uint64 closesAt);

    /// @notice The channel is closed for good. `paidToPayee` is the lifetime total paid to the
    /// payee (the final claimed amount), `refundedToPayer` what went back; they sum to the deposit.
    event ChannelClosed(bytes32 indexed channelId, uint256 paidToPayee, uint256 refundedToPayer);

    /// @notice The payee is the zero address or the payer.
    error InvalidPayee(address payee);
    /// @notice The token address has no code.
    error InvalidToken(address token);
    /// @notice A deposit or top-up of zero.
    error ZeroAmount();
    /// @notice The deposit would exceed `MAX_DEPOSIT`.
    error DepositTooLarge(uint256 deposit);
    /// @notice The challenge period is outside [`MIN_CHALLENGE_PERIOD`, `MAX_CHALLENGE_PERIOD`].
    error ChallengePeriodOutOfRange(uint64 challengePeriod);
    /// @notice The contract received less than the amount deposited (e.g. a fee-on-transfer token).
    error DepositNotReceived(uint256 expected, uint256 received);
    /// @notice The permit failed and the allowance does not cover the deposit.
    error PermitFailed(uint256 allowance, uint256 deposit);
    /// @notice A channel with this key was opened before (it may since have closed); pick another salt.
    error ChannelExists(bytes32 channelId);
    /// @notice No channel has this id: it was never opened, or a field of the key is wrong.
    error ChannelNotFound(bytes32 channelId);
    /// @notice The channel has been finalized or cooperatively closed.
    error ChannelIsClosed(bytes32 channelId);
    /// @notice The channel is in its challenge window (no top-ups, no second `startClose`).
    error ChannelIsClosing(bytes32 channelId);
    /// @notice `finalize` on a channel whose close was never started.
    error ChannelNotClosing(bytes32 channelId);
    /// @notice `finalize` before `closesAt`.
    error ChallengePeriodActive(bytes32 channelId, uint64 closesAt);
    /// @notice Only the channel's payer may do this.
    error NotPayer(bytes32 channelId, address caller);
    /// @notice Only the channel's payee may do this.
    error NotPayee(bytes32 channelId, address caller);
    /// @notice The voucher does not raise the claimed amount.
    error StaleVoucher(uint256 cumulativeAmount, uint256 claimed);
    /// @notice The voucher is worth more than the deposit.
    error VoucherExceedsDeposit(uint256 cumulativeAmount, uint256 deposit);
    /// @notice The signature is not a canonical 65-byte ECDSA signature (length, high s, bad v, no signer).
    error MalformedSignature();
    /// @notice The voucher was not signed by the payer (or was signed for another channel, chain or contract).
    error WrongSigner(address recovered, address payer);

    /// @notice Opens the channel `key`, pulling `deposit` of `key.token` from the caller.
    /// @dev Needs a prior `approve` of at least `deposit`. Each key opens at most once, ever.
    /// @param key The channel: the caller as payer, a payee that is neither zero nor the payer,
    /// an ERC-20 that moves exact amounts (no fee-on-transfer or rebasing tokens), a challenge
    /// period of `MIN_CHALLENGE_PERIOD` to `MAX_CHALLENGE_PERIOD` seconds, any salt.
    /// @param deposit Amount in base units, 1 to `MAX_DEPOSIT`.
    /// @return channelId `channelIdOf(key)`.
    function open(ChannelKey calldata key, uint256 deposit) external returns (bytes32 channelId);

    /// @notice Like `open`, but first applies the payer's EIP-2612 permit for this contract, in one transaction.
    /// @dev A permit already used (e.g. front-run) is tolerated when the allowance covers the deposit.
    /// @param key The channel; `key.token` must support EIP-2612 `permit`.
    /// @param deposit Amount in base units; also the permit's value.
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's recovery byte.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    /// @return channelId `channelIdOf(key)`.
    function openWithPermit(ChannelKey calldata key, uint256 deposit, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (bytes32 channelId);

    /// @notice Adds `amount` to an open channel's deposit. Payer only; not while closing.
    /// @param key The channel.
    /// @param amount Amount in base units, more than zero.
    function topUp(ChannelKey calldata key, uint256 amount) external;

    /// @notice Redeems the payer's voucher: pays `cumulativeAmount - claimed` to the payee and
    /// leaves the channel open. Payee only; allowed until the channel is closed.
    /// @param key The channel the voucher was signed for (its id is the voucher's `channelId`).
    /// @param cumulativeAmount Total the payer owes so far; more than `claimed`, at most `deposit`.
    /// @param calls Cumulative number of calls the voucher covers (signed, not interpreted).
    /// @param termsHash Hash of the agreement the payments are for (signed, emitted, not interpreted).
    /// @param envelopeHash The request the voucher paid for, off chain (signed, not interpreted, not emitted).
    /// @param signature The payer's 65-byte EIP-712 signature of the voucher.
    function claim(
        ChannelKey calldata key,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes32 envelopeHash,
        bytes calldata signature
    ) external;

    /// @notice Starts the challenge window: the channel can be finalized `challengePeriod` seconds from now.
    /// @dev Payer only, on an open channel. The payee can still claim until `finalize`.
    /// @param key The channel.
    function startClose(ChannelKey calldata key) external;

    /// @notice Closes a channel whose challenge window is over, returning `deposit - claimed` to the payer.
    /// @dev Anyone may call it; the refund always goes to the payer.
    /// @param key The channel.
    function finalize(ChannelKey calldata key) external;

    /// @notice Closes a channel at once: pays the payee up to the voucher and refunds the rest to the payer.
    /// @dev Payee only (the call is the payee's consent; the voucher is the payer's). Allowed while
    /// open or closing. `cumulativeAmount` may equal `claimed` (nothing more to pay), not be less.
    /// @param key The channel.
    /// @param cumulativeAmount The final cumulative amount, `claimed` to `deposit`.
    /// @param calls Cumulative calls of the voucher.
    /// @param termsHash Terms hash of the voucher.
    /// @param envelopeHash Envelope hash of the voucher (zero for one made without a request).
    /// @param signature The payer's 65-byte EIP-712 signature of the voucher.
    function cooperativeClose(
        ChannelKey calldata key,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes32 envelopeHash,
        bytes calldata signature
    ) external;

    /// @notice The id of the channel `key`, opened or not:
    /// `keccak256(abi.encode(chainId, address(this), key))`, where `chainId` is the chain this
    /// contract was deployed on (the current one, unless a fork has since changed it).
    /// @param key The channel.
    /// @return The channel id, which vouchers sign.
    function channelIdOf(ChannelKey calldata key) external view returns (bytes32);

    /// @notice Reads a channel's state; every field is zero (status `None`) for an unknown id. A
    /// closed channel is cleared but for its status `Closed`; its history is in the events.
    /// @param channelId The channel.
    /// @return The channel.
    function getChannel(bytes32 channelId) external view returns (Channel memory);

    /// @notice The EIP-712 digest the payer signs for a voucher.
    /// @param channelId The channel.
    /// @param cumulativeAmount Cumulative amount.
    /// @param calls Cumulative calls.
    /// @param termsHash Agreement hash.
    /// @param envelopeHash EIP-712 struct hash of the request envelope the voucher pays for, or zero.
    /// @return The digest (`keccak256("\x19\x01" ‖ domainSeparator ‖ structHash)`).
    function hashVoucher(
        bytes32 channelId,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash,
        bytes32 envelopeHash
    ) external view returns (bytes32);

    /// @notice The EIP-712 domain separator for this contract on the current chain.
    /// @return The domain separator.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32);
}
