// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {GotongToken} from "../../contracts/GotongToken.sol";
import {PaymentChannels} from "../../contracts/PaymentChannels.sol";
import {IPaymentChannels} from "../../contracts/interfaces/IPaymentChannels.sol";

/// Keeps 1% of every transfer, so a channel would hold less than its deposit.
contract FeeOnTransferToken is ERC20 {
    constructor() ERC20("Fee", "FEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// Calls back into the channels contract from `transferFrom`, like a token with hooks could.
contract ReentrantToken is ERC20 {
    PaymentChannels public target;
    bytes32 public channelId;

    constructor() ERC20("Reentrant", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(PaymentChannels target_, bytes32 channelId_) external {
        target = target_;
        channelId = channelId_;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (address(target) != address(0)) target.topUp(channelId, 1);
        return super.transferFrom(from, to, value);
    }
}

/// Voucher signing and domain helpers computed from the EIP-712 text, not read from the contract.
abstract contract PaymentChannelsFixture is Test {
    bytes32 constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 constant VOUCHER_TYPEHASH =
        keccak256("Voucher(bytes32 channelId,uint256 cumulativeAmount,uint64 calls,bytes32 termsHash)");
    bytes32 constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    /// secp256k1 group order.
    uint256 constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    function voucherDigest(
        uint256 chainId,
        address verifyingContract,
        bytes32 channelId,
        uint256 cumulativeAmount,
        uint64 calls,
        bytes32 termsHash
    ) internal pure returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("gotong"), keccak256("1"), chainId, verifyingContract)
        );
        bytes32 structHash = keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, cumulativeAmount, calls, termsHash));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }

    function signDigest(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }
}

contract PaymentChannelsTest is PaymentChannelsFixture {
    uint64 constant PERIOD = 1 hours;
    bytes32 constant TERMS = keccak256("terms v1");

    GotongToken token;
    PaymentChannels channels;
    address owner = makeAddr("owner");
    address alice; // payer
    uint256 aliceKey;
    address bob = makeAddr("bob"); // payee
    address mallory;
    uint256 malloryKey;
    address keeper = makeAddr("keeper");

    function setUp() public {
        vm.warp(1_700_000_000);
        (alice, aliceKey) = makeAddrAndKey("alice");
        (mallory, malloryKey) = makeAddrAndKey("mallory");
        token = new GotongToken("Gotong USD", "gUSD", owner);
        channels = new PaymentChannels();
        vm.startPrank(owner);
        token.mint(alice, 1_000_000_000);
        token.mint(mallory, 1_000_000_000);
        vm.stopPrank();
        vm.prank(alice);
        token.approve(address(channels), type(uint256).max);
    }

    // ---- helpers ----

    function openChannel(uint256 deposit) internal returns (bytes32 channelId) {
        vm.prank(alice);
        channelId = channels.open(bob, address(token), deposit, PERIOD);
    }

    function sign(uint256 key, bytes32 channelId, uint256 amount, uint64 calls) internal view returns (bytes memory) {
        return signDigest(key, voucherDigest(block.chainid, address(channels), channelId, amount, calls, TERMS));
    }

    function claimAs(address caller, bytes32 channelId, uint256 amount, uint64 calls, bytes memory sig) internal {
        vm.prank(caller);
        channels.claim(channelId, amount, calls, TERMS, sig);
    }

    function permitSig(uint256 value, uint256 deadline) internal view returns (uint8 v, bytes32 r, bytes32 s) {
        bytes32 domainSeparator = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Gotong USD"), keccak256("1"), block.chainid, address(token))
        );
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, alice, address(channels), value, token.nonces(alice), deadline));
        return vm.sign(aliceKey, keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash)));
    }

    function assertChannel(
        bytes32 channelId,
        uint256 deposit,
        uint256 claimed,
        uint64 closesAt,
        IPaymentChannels.Status status
    ) internal view {
        IPaymentChannels.Channel memory c = channels.getChannel(channelId);
        assertEq(c.payer, alice, "payer");
        assertEq(c.payee, bob, "payee");
        assertEq(c.token, address(token), "token");
        assertEq(c.deposit, deposit, "deposit");
        assertEq(c.claimed, claimed, "claimed");
        assertEq(c.challengePeriod, PERIOD, "challengePeriod");
        assertEq(c.closesAt, closesAt, "closesAt");
        assertEq(uint8(c.status), uint8(status), "status");
    }

    function assertClosed(bytes32 channelId) internal view {
        IPaymentChannels.Channel memory c = channels.getChannel(channelId);
        // Cleared for the gas refund; only the status remains, so the id is never reused.
        assertEq(uint8(c.status), uint8(IPaymentChannels.Status.Closed), "status");
        assertEq(c.payer, address(0));
        assertEq(c.payee, address(0));
        assertEq(c.token, address(0));
        assertEq(c.deposit + c.claimed + c.challengePeriod + c.closesAt, 0);
    }

    // ---- domain ----

    function test_DomainAndVoucherHash() public {
        assertEq(channels.VOUCHER_TYPEHASH(), VOUCHER_TYPEHASH);
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) =
            channels.eip712Domain();
        assertEq(name, "gotong");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(channels));
        assertEq(
            channels.DOMAIN_SEPARATOR(),
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256("gotong"), keccak256("1"), block.chainid, address(channels))
            )
        );
        bytes32 id = keccak256("some channel");
        assertEq(
            channels.hashVoucher(id, 42, 7, TERMS), voucherDigest(block.chainid, address(channels), id, 42, 7, TERMS)
        );

        vm.chainId(block.chainid + 1);
        assertEq(
            channels.hashVoucher(id, 42, 7, TERMS), voucherDigest(block.chainid, address(channels), id, 42, 7, TERMS)
        );
    }

    function test_Bounds() public view {
        assertEq(channels.MIN_CHALLENGE_PERIOD(), 1);
        assertEq(channels.MAX_CHALLENGE_PERIOD(), 30 days);
        assertEq(channels.MAX_DEPOSIT(), type(uint96).max);
    }

    // ---- open ----

    function test_Open() public {
        vm.expectEmit(false, true, true, true, address(channels));
        emit IPaymentChannels.ChannelOpened(bytes32(0), alice, bob, address(token), 5_000_000, PERIOD);
        bytes32 id = openChannel(5_000_000);

        assertTrue(id != bytes32(0));
        assertEq(token.balanceOf(alice), 995_000_000);
        assertEq(token.balanceOf(address(channels)), 5_000_000);
        assertChannel(id, 5_000_000, 0, 0, IPaymentChannels.Status.Open);
    }

    function test_OpenAtBounds() public {
        vm.prank(owner);
        token.mint(alice, type(uint96).max);
        vm.startPrank(alice);
        bytes32 a = channels.open(bob, address(token), type(uint96).max, 1);
        bytes32 b = channels.open(bob, address(token), 1, 30 days);
        vm.stopPrank();
        assertEq(channels.getChannel(a).deposit, type(uint96).max);
        assertEq(channels.getChannel(a).challengePeriod, 1);
        assertEq(channels.getChannel(b).challengePeriod, 30 days);
    }

    function test_RevertWhen_OpenWithBadArguments() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.InvalidPayee.selector, address(0)));
        channels.open(address(0), address(token), 1, PERIOD);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.InvalidPayee.selector, alice));
        channels.open(alice, address(token), 1, PERIOD);
        vm.expectRevert(IPaymentChannels.ZeroAmount.selector);
        channels.open(bob, address(token), 0, PERIOD);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.DepositTooLarge.selector, uint256(type(uint96).max) + 1)
        );
        channels.open(bob, address(token), uint256(type(uint96).max) + 1, PERIOD);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChallengePeriodOutOfRange.selector, 0));
        channels.open(bob, address(token), 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChallengePeriodOutOfRange.selector, 30 days + 1));
        channels.open(bob, address(token), 1, 30 days + 1);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.InvalidToken.selector, keeper));
        channels.open(bob, keeper, 1, PERIOD);
        vm.stopPrank();
        assertEq(token.balanceOf(address(channels)), 0);
    }

    function test_RevertWhen_OpenWithoutAllowance() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(channels), 0, 1)
        );
        vm.prank(mallory);
        channels.open(bob, address(token), 1, PERIOD);
    }

    function test_RevertWhen_OpenWithFeeOnTransferToken() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        fee.mint(alice, 1_000);
        vm.startPrank(alice);
        fee.approve(address(channels), 1_000);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.DepositNotReceived.selector, 1_000, 990));
        channels.open(bob, address(fee), 1_000, PERIOD);
        vm.stopPrank();
    }

    function test_RevertWhen_TokenReenters() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(alice, 1_000);
        vm.startPrank(alice);
        re.approve(address(channels), 1_000);
        bytes32 id = channels.open(bob, address(re), 500, PERIOD);
        vm.stopPrank();
        re.arm(channels, id);

        vm.expectRevert(abi.encodeWithSignature("ReentrancyGuardReentrantCall()"));
        vm.prank(alice);
        channels.open(bob, address(re), 500, PERIOD);
    }

    function test_OpenWithPermit() public {
        vm.prank(alice);
        token.approve(address(channels), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = permitSig(7_000_000, deadline);

        vm.prank(alice);
        bytes32 id = channels.openWithPermit(bob, address(token), 7_000_000, PERIOD, deadline, v, r, s);

        assertChannel(id, 7_000_000, 0, 0, IPaymentChannels.Status.Open);
        assertEq(token.balanceOf(address(channels)), 7_000_000);
        assertEq(token.allowance(alice, address(channels)), 0);
        assertEq(token.nonces(alice), 1);
    }

    function test_OpenWithPermitAfterFrontRun() public {
        vm.prank(alice);
        token.approve(address(channels), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = permitSig(7_000_000, deadline);
        // Someone copies the permit from the mempool and submits it first.
        vm.prank(mallory);
        token.permit(alice, address(channels), 7_000_000, deadline, v, r, s);

        vm.prank(alice);
        bytes32 id = channels.openWithPermit(bob, address(token), 7_000_000, PERIOD, deadline, v, r, s);
        assertChannel(id, 7_000_000, 0, 0, IPaymentChannels.Status.Open);
    }

    function test_RevertWhen_OpenWithBadPermit() public {
        vm.prank(alice);
        token.approve(address(channels), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = permitSig(7_000_000, deadline);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PermitFailed.selector, 0, 8_000_000));
        vm.prank(alice);
        channels.openWithPermit(bob, address(token), 8_000_000, PERIOD, deadline, v, r, s);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.InvalidToken.selector, keeper));
        vm.prank(alice);
        channels.openWithPermit(bob, keeper, 7_000_000, PERIOD, deadline, v, r, s);
    }

    function test_ChannelIdNeverReused() public {
        bytes32 first = openChannel(100);
        vm.prank(alice);
        channels.startClose(first);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(first);

        bytes32 second = openChannel(100);
        assertTrue(second != first);
        assertEq(uint8(channels.getChannel(first).status), uint8(IPaymentChannels.Status.Closed));
        assertEq(uint8(channels.getChannel(second).status), uint8(IPaymentChannels.Status.Open));

        // Same parameters in the same block still give a new id.
        bytes32 third = openChannel(100);
        assertTrue(third != second && third != first);
    }

    // ---- topUp ----

    function test_TopUp() public {
        bytes32 id = openChannel(1_000);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelToppedUp(id, 500, 1_500);
        vm.prank(alice);
        channels.topUp(id, 500);

        assertChannel(id, 1_500, 0, 0, IPaymentChannels.Status.Open);
        assertEq(token.balanceOf(address(channels)), 1_500);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 1_500);
    }

    function test_RevertWhen_TopUpInvalid() public {
        bytes32 id = openChannel(1_000);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayer.selector, id, bob));
        vm.prank(bob);
        channels.topUp(id, 1);

        vm.startPrank(alice);
        vm.expectRevert(IPaymentChannels.ZeroAmount.selector);
        channels.topUp(id, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.DepositTooLarge.selector, uint256(type(uint96).max) + 1)
        );
        channels.topUp(id, uint256(type(uint96).max) + 1 - 1_000);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotFound.selector, bytes32(uint256(1))));
        channels.topUp(bytes32(uint256(1)), 1);

        channels.startClose(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosing.selector, id));
        channels.topUp(id, 1);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.topUp(id, 1);
        vm.stopPrank();
    }

    // ---- claim ----

    function test_Claim() public {
        bytes32 id = openChannel(10_000);

        vm.expectEmit(address(channels));
        emit IPaymentChannels.Claimed(id, 3_000, 3, TERMS, 3_000);
        claimAs(bob, id, 3_000, 3, sign(aliceKey, id, 3_000, 3));
        assertEq(token.balanceOf(bob), 3_000);
        assertChannel(id, 10_000, 3_000, 0, IPaymentChannels.Status.Open);

        // The next cumulative voucher pays only the difference.
        vm.expectEmit(address(channels));
        emit IPaymentChannels.Claimed(id, 10_000, 9, TERMS, 7_000);
        claimAs(bob, id, 10_000, 9, sign(aliceKey, id, 10_000, 9));
        assertEq(token.balanceOf(bob), 10_000);
        assertEq(token.balanceOf(address(channels)), 0);
        assertChannel(id, 10_000, 10_000, 0, IPaymentChannels.Status.Open);
    }

    function test_ClaimDuringAndAfterChallengeWindow() public {
        bytes32 id = openChannel(10_000);
        vm.prank(alice);
        channels.startClose(id);

        claimAs(bob, id, 1_000, 1, sign(aliceKey, id, 1_000, 1));
        // Past closesAt but not yet finalized: the payee can still claim.
        vm.warp(block.timestamp + PERIOD + 1);
        claimAs(bob, id, 2_000, 2, sign(aliceKey, id, 2_000, 2));
        assertEq(token.balanceOf(bob), 2_000);

        channels.finalize(id);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 2_000);
    }

    function test_RevertWhen_ClaimStateInvalid() public {
        bytes32 id = openChannel(10_000);
        bytes memory sig = sign(aliceKey, id, 1_000, 1);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayee.selector, id, mallory));
        claimAs(mallory, id, 1_000, 1, sig);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayee.selector, id, alice));
        claimAs(alice, id, 1_000, 1, sig);

        bytes32 unknown = keccak256("unknown");
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotFound.selector, unknown));
        claimAs(bob, unknown, 1_000, 1, sign(aliceKey, unknown, 1_000, 1));

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.StaleVoucher.selector, 0, 0));
        claimAs(bob, id, 0, 0, sign(aliceKey, id, 0, 0));

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.VoucherExceedsDeposit.selector, 10_001, 10_000));
        claimAs(bob, id, 10_001, 5, sign(aliceKey, id, 10_001, 5));

        claimAs(bob, id, 1_000, 1, sig);
        // Replaying the same voucher, or an older one, pays nothing.
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.StaleVoucher.selector, 1_000, 1_000));
        claimAs(bob, id, 1_000, 1, sig);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.StaleVoucher.selector, 500, 1_000));
        claimAs(bob, id, 500, 1, sign(aliceKey, id, 500, 1));

        assertEq(token.balanceOf(bob), 1_000);
    }

    function test_RevertWhen_ClaimAfterFinalize() public {
        bytes32 id = openChannel(10_000);
        bytes memory sig = sign(aliceKey, id, 4_000, 4);
        vm.prank(alice);
        channels.startClose(id);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(id);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        claimAs(bob, id, 4_000, 4, sig);
        assertEq(token.balanceOf(bob), 0);
        assertEq(token.balanceOf(alice), 1_000_000_000);
    }

    function test_RevertWhen_ClaimSignedByWrongKey() public {
        bytes32 id = openChannel(10_000);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.WrongSigner.selector, mallory, alice));
        claimAs(bob, id, 1_000, 1, sign(malloryKey, id, 1_000, 1));
    }

    function test_RevertWhen_ClaimTampered() public {
        bytes32 id = openChannel(10_000);
        bytes memory sig = sign(aliceKey, id, 1_000, 1);
        uint256 snapshot = vm.snapshotState();

        // Each field is signed: changing any of them recovers someone else.
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, id, 2_000, 1, sig);
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, id, 1_000, 2, sig);
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        vm.prank(bob);
        channels.claim(id, 1_000, 1, keccak256("other terms"), sig);
        vm.revertToState(snapshot);
    }

    function test_RevertWhen_ClaimWithVoucherOfAnotherChannel() public {
        bytes32 id = openChannel(10_000);
        bytes32 other = openChannel(10_000);
        bytes memory sig = sign(aliceKey, other, 1_000, 1);
        address recovered = recover(voucherDigest(block.chainid, address(channels), id, 1_000, 1, TERMS), sig);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.WrongSigner.selector, recovered, alice));
        claimAs(bob, id, 1_000, 1, sig);
    }

    function test_RevertWhen_ClaimWithVoucherForAnotherChain() public {
        bytes32 id = openChannel(10_000);
        bytes32 digest = voucherDigest(block.chainid + 1, address(channels), id, 1_000, 1, TERMS);
        bytes memory sig = signDigest(aliceKey, digest);

        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, id, 1_000, 1, sig);

        // The same voucher is good once the chain id matches, proving the chain id is what differed.
        vm.chainId(block.chainid + 1);
        claimAs(bob, id, 1_000, 1, sig);
        assertEq(token.balanceOf(bob), 1_000);
    }

    function test_RevertWhen_ClaimWithVoucherForAnotherContract() public {
        bytes32 id = openChannel(10_000);
        PaymentChannels twin = new PaymentChannels();
        bytes memory sig = signDigest(aliceKey, voucherDigest(block.chainid, address(twin), id, 1_000, 1, TERMS));

        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, id, 1_000, 1, sig);
        assertEq(token.balanceOf(bob), 0);
    }

    function test_RevertWhen_ClaimWithMalleableSignature() public {
        bytes32 id = openChannel(10_000);
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(aliceKey, voucherDigest(block.chainid, address(channels), id, 1_000, 1, TERMS));
        // (r, n - s, v ^ 1) is the same signature's twin, which ecrecover accepts.
        bytes32 highS = bytes32(N - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        assertEq(
            ecrecover(voucherDigest(block.chainid, address(channels), id, 1_000, 1, TERMS), flippedV, r, highS), alice
        );

        vm.expectRevert(IPaymentChannels.MalformedSignature.selector);
        claimAs(bob, id, 1_000, 1, abi.encodePacked(r, highS, flippedV));
        // The canonical form works.
        claimAs(bob, id, 1_000, 1, abi.encodePacked(r, s, v));
    }

    function test_RevertWhen_ClaimWithGarbageSignature() public {
        bytes32 id = openChannel(10_000);
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(aliceKey, voucherDigest(block.chainid, address(channels), id, 1_000, 1, TERMS));

        bytes[5] memory bad = [
            bytes(""),
            abi.encodePacked(r, s), // 64 bytes (ERC-2098 compact form is not accepted)
            abi.encodePacked(r, s, v, uint8(0)), // 66 bytes
            abi.encodePacked(bytes32(0), bytes32(0), uint8(27)), // recovers the zero address
            abi.encodePacked(r, s, uint8(29)) // bad v
        ];
        for (uint256 i; i < bad.length; i++) {
            vm.expectRevert(IPaymentChannels.MalformedSignature.selector);
            claimAs(bob, id, 1_000, 1, bad[i]);
        }
        assertEq(token.balanceOf(bob), 0);
    }

    // ---- startClose / finalize ----

    function test_StartCloseAndFinalize() public {
        bytes32 id = openChannel(10_000);
        claimAs(bob, id, 2_500, 2, sign(aliceKey, id, 2_500, 2));

        uint64 closesAt = uint64(block.timestamp + PERIOD);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.CloseStarted(id, closesAt);
        vm.prank(alice);
        channels.startClose(id);
        assertChannel(id, 10_000, 2_500, closesAt, IPaymentChannels.Status.Closing);

        vm.warp(closesAt);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelClosed(id, 2_500, 7_500);
        // Anyone may finalize; the refund still goes to the payer.
        vm.prank(keeper);
        channels.finalize(id);

        assertClosed(id);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 2_500);
        assertEq(token.balanceOf(bob), 2_500);
        assertEq(token.balanceOf(keeper), 0);
        assertEq(token.balanceOf(address(channels)), 0);
    }

    function test_FinalizeFullyClaimed() public {
        bytes32 id = openChannel(10_000);
        claimAs(bob, id, 10_000, 2, sign(aliceKey, id, 10_000, 2));
        vm.prank(alice);
        channels.startClose(id);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(id);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 10_000);
    }

    function test_RevertWhen_StartCloseInvalid() public {
        bytes32 id = openChannel(10_000);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayer.selector, id, bob));
        vm.prank(bob);
        channels.startClose(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotFound.selector, bytes32(0)));
        vm.prank(alice);
        channels.startClose(bytes32(0));

        vm.startPrank(alice);
        channels.startClose(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosing.selector, id));
        channels.startClose(id);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.startClose(id);
        vm.stopPrank();
    }

    function test_RevertWhen_FinalizeInvalid() public {
        bytes32 id = openChannel(10_000);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotClosing.selector, id));
        channels.finalize(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotFound.selector, bytes32(0)));
        channels.finalize(bytes32(0));

        vm.prank(alice);
        channels.startClose(id);
        uint64 closesAt = uint64(block.timestamp + PERIOD);
        vm.warp(closesAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChallengePeriodActive.selector, id, closesAt));
        channels.finalize(id);

        vm.warp(closesAt);
        channels.finalize(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.finalize(id);
        assertEq(token.balanceOf(alice), 1_000_000_000);
    }

    // ---- cooperativeClose ----

    function test_CooperativeClose() public {
        bytes32 id = openChannel(10_000);
        claimAs(bob, id, 1_000, 1, sign(aliceKey, id, 1_000, 1));

        vm.expectEmit(address(channels));
        emit IPaymentChannels.Claimed(id, 6_000, 6, TERMS, 5_000);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelClosed(id, 6_000, 4_000);
        vm.prank(bob);
        channels.cooperativeClose(id, 6_000, 6, TERMS, sign(aliceKey, id, 6_000, 6));

        assertClosed(id);
        assertEq(token.balanceOf(bob), 6_000);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 6_000);
        assertEq(token.balanceOf(address(channels)), 0);
    }

    function test_CooperativeCloseWhileClosingWithLastClaimedVoucher() public {
        bytes32 id = openChannel(10_000);
        bytes memory sig = sign(aliceKey, id, 1_000, 1);
        claimAs(bob, id, 1_000, 1, sig);
        vm.prank(alice);
        channels.startClose(id);

        // The voucher already claimed closes the channel at once, paying nothing more.
        vm.prank(bob);
        channels.cooperativeClose(id, 1_000, 1, TERMS, sig);
        assertEq(token.balanceOf(bob), 1_000);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 1_000);
        assertEq(uint8(channels.getChannel(id).status), uint8(IPaymentChannels.Status.Closed));
    }

    function test_CooperativeCloseOfWholeDeposit() public {
        bytes32 id = openChannel(10_000);
        vm.prank(bob);
        channels.cooperativeClose(id, 10_000, 10, TERMS, sign(aliceKey, id, 10_000, 10));
        assertEq(token.balanceOf(bob), 10_000);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 10_000);
    }

    function test_RevertWhen_CooperativeCloseInvalid() public {
        bytes32 id = openChannel(10_000);
        claimAs(bob, id, 2_000, 2, sign(aliceKey, id, 2_000, 2));
        bytes memory sig = sign(aliceKey, id, 3_000, 3);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayee.selector, id, alice));
        vm.prank(alice);
        channels.cooperativeClose(id, 3_000, 3, TERMS, sig);

        vm.startPrank(bob);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.StaleVoucher.selector, 1_000, 2_000));
        channels.cooperativeClose(id, 1_000, 1, TERMS, sign(aliceKey, id, 1_000, 1));
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.VoucherExceedsDeposit.selector, 10_001, 10_000));
        channels.cooperativeClose(id, 10_001, 3, TERMS, sign(aliceKey, id, 10_001, 3));
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.WrongSigner.selector, mallory, alice));
        channels.cooperativeClose(id, 3_000, 3, TERMS, sign(malloryKey, id, 3_000, 3));
        vm.expectRevert(IPaymentChannels.MalformedSignature.selector);
        channels.cooperativeClose(id, 3_000, 3, TERMS, "");

        channels.cooperativeClose(id, 3_000, 3, TERMS, sig);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.cooperativeClose(id, 3_000, 3, TERMS, sig);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.claim(id, 4_000, 4, TERMS, sign(aliceKey, id, 4_000, 4));
        vm.stopPrank();
        assertEq(token.balanceOf(bob), 3_000);
    }

    // ---- gas budgets ----

    /// Transaction gas (with the 21,000 base and calldata) when run with `--isolate`, which
    /// `--gas-report` turns on; without it the calls share one warm transaction and cost less.
    /// Budgets: claim 70,000 and open + cooperativeClose 180,000 (µRaiden: 191k). open itself
    /// is ~116,600, over the 110,000 goal: three fresh slots (payer, payee and token each take
    /// one) are 66,300 of it, where µRaiden stores one slot for a single-token contract.
    function test_GasBudgets() public {
        // A payee that has been paid before and a contract that already holds the token.
        openChannel(1);
        vm.prank(owner);
        token.mint(bob, 1);

        vm.prank(alice);
        bytes32 id = channels.open(bob, address(token), 10_000, PERIOD);
        uint256 openGas = vm.lastCallGas().gasTotalUsed;
        assertLe(openGas, 117_000, "open");

        bytes memory sig = sign(aliceKey, id, 1_000, 1);
        vm.prank(bob);
        channels.claim(id, 1_000, 1, TERMS, sig);
        assertLe(vm.lastCallGas().gasTotalUsed, 70_000, "claim");

        sig = sign(aliceKey, id, 2_000, 2);
        vm.prank(bob);
        channels.cooperativeClose(id, 2_000, 2, TERMS, sig);
        assertLe(openGas + vm.lastCallGas().gasTotalUsed, 180_000, "open + cooperativeClose");
    }

    // ---- fuzz ----

    function testFuzz_ClaimPaysDifference(uint256 deposit, uint256 first, uint256 second) public {
        deposit = bound(deposit, 1, 1_000_000_000);
        first = bound(first, 1, deposit);
        second = bound(second, first, deposit);
        bytes32 id = openChannel(deposit);

        claimAs(bob, id, first, 1, sign(aliceKey, id, first, 1));
        if (second > first) claimAs(bob, id, second, 2, sign(aliceKey, id, second, 2));
        assertEq(token.balanceOf(bob), second);
        assertEq(token.balanceOf(address(channels)), deposit - second);
    }

    function testFuzz_MalformedSignatureNeverPays(bytes calldata signature, uint256 amount) public {
        bytes32 id = openChannel(10_000);
        amount = bound(amount, 1, 10_000);
        vm.prank(bob);
        try channels.claim(id, amount, 1, TERMS, signature) {
            revert("claim with a random signature succeeded");
        } catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            assertTrue(
                selector == IPaymentChannels.MalformedSignature.selector
                    || selector == IPaymentChannels.WrongSigner.selector
            );
        }
        assertEq(token.balanceOf(bob), 0);
        assertEq(token.balanceOf(address(channels)), 10_000);
    }

    function testFuzz_RandomSignatureOfRightLengthNeverPays(bytes32 r, bytes32 s, uint8 v) public {
        bytes32 id = openChannel(10_000);
        vm.prank(bob);
        try channels.claim(id, 1_000, 1, TERMS, abi.encodePacked(r, s, v)) {
            revert("claim with a random signature succeeded");
        } catch {}
        assertEq(token.balanceOf(bob), 0);
    }

    function testFuzz_VoucherForOtherDomainOrChannelNeverPays(
        uint256 chainId,
        address verifyingContract,
        bytes32 channelId,
        uint256 amount
    ) public {
        bytes32 id = openChannel(10_000);
        chainId = bound(chainId, 1, type(uint64).max);
        vm.assume(chainId != block.chainid || verifyingContract != address(channels) || channelId != id);
        amount = bound(amount, 1, 10_000);
        bytes memory sig = signDigest(aliceKey, voucherDigest(chainId, verifyingContract, channelId, amount, 1, TERMS));

        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, id, amount, 1, sig);
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        vm.prank(bob);
        channels.cooperativeClose(id, amount, 1, TERMS, sig);
        assertEq(token.balanceOf(bob), 0);
    }

    function testFuzz_OnlyPayeeClaims(address caller) public {
        vm.assume(caller != bob);
        bytes32 id = openChannel(10_000);
        bytes memory sig = sign(aliceKey, id, 1_000, 1);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayee.selector, id, caller));
        claimAs(caller, id, 1_000, 1, sig);
    }

    function recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        (bytes32 r, bytes32 s) = abi.decode(sig, (bytes32, bytes32));
        return ecrecover(digest, uint8(sig[64]), r, s);
    }
}
