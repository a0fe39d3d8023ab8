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
    IPaymentChannels.ChannelKey key;

    constructor() ERC20("Reentrant", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(PaymentChannels target_, IPaymentChannels.ChannelKey memory key_) external {
        target = target_;
        key = key_;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (address(target) != address(0)) target.topUp(key, 1);
        return super.transferFrom(from, to, value);
    }
}

/// Voucher signing and domain helpers computed from the EIP-712 text, not read from the contract.
abstract contract PaymentChannelsFixture is Test {
    bytes32 constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 constant VOUCHER_TYPEHASH = keccak256(
        "Voucher(bytes32 channelId,uint256 cumulativeAmount,uint64 calls,bytes32 termsHash,bytes32 envelopeHash)"
    );
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
        bytes32 termsHash,
        bytes32 envelopeHash
    ) internal pure returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("gotong"), keccak256("1"), chainId, verifyingContract)
        );
        bytes32 structHash =
            keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, cumulativeAmount, calls, termsHash, envelopeHash));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }

    /// The channel id as the contract documents it, computed here from the key.
    function channelIdFor(uint256 chainId, address verifyingContract, IPaymentChannels.ChannelKey memory key)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(
            abi.encode(chainId, verifyingContract, key.payer, key.payee, key.token, key.challengePeriod, key.salt)
        );
    }

    function signDigest(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }
}

contract PaymentChannelsTest is PaymentChannelsFixture {
    uint64 constant PERIOD = 1 hours;
    bytes32 constant TERMS = keccak256("terms v1");
    bytes32 constant ENVELOPE = keccak256("envelope of call n");

    GotongToken token;
    PaymentChannels channels;
    address owner = makeAddr("owner");
    address alice; // payer
    uint256 aliceKey;
    address bob = makeAddr("bob"); // payee
    address mallory;
    uint256 malloryKey;
    address keeper = makeAddr("keeper");
    uint256 salts;

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

    /// Alice's channel to bob in gUSD with the given salt.
    function keyWith(bytes32 salt) internal view returns (IPaymentChannels.ChannelKey memory) {
        return IPaymentChannels.ChannelKey({
            payer: alice, payee: bob, token: address(token), challengePeriod: PERIOD, salt: salt
        });
    }

    /// A key with a salt no other channel of this test uses.
    function newKey() internal returns (IPaymentChannels.ChannelKey memory) {
        return keyWith(keccak256(abi.encode("salt", ++salts)));
    }

    function idOf(IPaymentChannels.ChannelKey memory key) internal view returns (bytes32) {
        return channelIdFor(block.chainid, address(channels), key);
    }

    function openChannel(uint256 deposit) internal returns (IPaymentChannels.ChannelKey memory key) {
        key = newKey();
        vm.prank(alice);
        channels.open(key, deposit);
    }

    function sign(uint256 signer, IPaymentChannels.ChannelKey memory key, uint256 amount, uint64 calls)
        internal
        view
        returns (bytes memory)
    {
        return signDigest(
            signer, voucherDigest(block.chainid, address(channels), idOf(key), amount, calls, TERMS, ENVELOPE)
        );
    }

    function claimAs(
        address caller,
        IPaymentChannels.ChannelKey memory key,
        uint256 amount,
        uint64 calls,
        bytes memory sig
    ) internal {
        vm.prank(caller);
        channels.claim(key, amount, calls, TERMS, ENVELOPE, sig);
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
        assertEq(c.deposit, deposit, "deposit");
        assertEq(c.claimed, claimed, "claimed");
        assertEq(c.closesAt, closesAt, "closesAt");
        assertEq(uint8(c.status), uint8(status), "status");
    }

    function assertClosed(bytes32 channelId) internal view {
        // Cleared; only the status remains, so the key never opens again.
        assertChannel(channelId, 0, 0, 0, IPaymentChannels.Status.Closed);
    }

    /// `key` with field `field` (0 payer, 1 payee, 2 token, 3 challengePeriod, 4 salt) set from `value`.
    function mutate(IPaymentChannels.ChannelKey memory key, uint256 field, bytes32 value)
        internal
        pure
        returns (IPaymentChannels.ChannelKey memory wrong)
    {
        wrong = IPaymentChannels.ChannelKey(key.payer, key.payee, key.token, key.challengePeriod, key.salt);
        field %= 5;
        if (field == 0) wrong.payer = address(uint160(uint256(value)));
        else if (field == 1) wrong.payee = address(uint160(uint256(value)));
        else if (field == 2) wrong.token = address(uint160(uint256(value)));
        else if (field == 3) wrong.challengePeriod = uint64(uint256(value));
        else wrong.salt = value;
    }

    // ---- domain and ids ----

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
            channels.hashVoucher(id, 42, 7, TERMS, ENVELOPE),
            voucherDigest(block.chainid, address(channels), id, 42, 7, TERMS, ENVELOPE)
        );

        vm.chainId(block.chainid + 1);
        assertEq(
            channels.hashVoucher(id, 42, 7, TERMS, ENVELOPE),
            voucherDigest(block.chainid, address(channels), id, 42, 7, TERMS, ENVELOPE)
        );
    }

    function test_Bounds() public view {
        assertEq(channels.MIN_CHALLENGE_PERIOD(), 1);
        assertEq(channels.MAX_CHALLENGE_PERIOD(), 30 days);
        assertEq(channels.MAX_DEPOSIT(), type(uint96).max);
    }

    function test_ChannelIdCommitsToEveryKeyField() public {
        IPaymentChannels.ChannelKey memory key = keyWith(keccak256("salt"));
        bytes32 id = channels.channelIdOf(key);
        assertEq(id, channelIdFor(block.chainid, address(channels), key));
        assertEq(
            id,
            keccak256(
                abi.encode(block.chainid, address(channels), alice, bob, address(token), PERIOD, keccak256("salt"))
            )
        );
        for (uint256 field; field < 5; field++) {
            assertTrue(channels.channelIdOf(mutate(key, field, bytes32(uint256(1)))) != id);
        }
        assertTrue(new PaymentChannels().channelIdOf(key) != id);
    }

    function test_ChannelIdSurvivesChainIdChange() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 id = idOf(key);
        bytes memory oldChainVoucher = sign(aliceKey, key, 1_000, 1);
        PaymentChannels twin = new PaymentChannels();
        // A fork changes the chain id: the channel is still there, so the payer can get its deposit back.
        vm.chainId(block.chainid + 1);
        assertEq(channels.channelIdOf(key), id);
        assertTrue(new PaymentChannels().channelIdOf(key) != twin.channelIdOf(key));
        // Vouchers follow the EIP-712 domain, which follows the current chain.
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, key, 1_000, 1, oldChainVoucher);

        vm.prank(alice);
        channels.startClose(key);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(key);
        assertClosed(id);
        assertEq(token.balanceOf(alice), 1_000_000_000);
    }

    // ---- open ----

    function test_Open() public {
        IPaymentChannels.ChannelKey memory key = newKey();
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelOpened(idOf(key), alice, bob, address(token), 5_000_000, PERIOD, key.salt);
        vm.prank(alice);
        bytes32 id = channels.open(key, 5_000_000);

        assertEq(id, idOf(key));
        assertEq(token.balanceOf(alice), 995_000_000);
        assertEq(token.balanceOf(address(channels)), 5_000_000);
        assertChannel(id, 5_000_000, 0, 0, IPaymentChannels.Status.Open);
    }

    function test_OpenAtBounds() public {
        vm.prank(owner);
        token.mint(alice, type(uint96).max);
        IPaymentChannels.ChannelKey memory a = newKey();
        a.challengePeriod = 1;
        IPaymentChannels.ChannelKey memory b = newKey();
        b.challengePeriod = 30 days;
        vm.startPrank(alice);
        channels.open(a, type(uint96).max);
        channels.open(b, 1);
        assertEq(channels.getChannel(idOf(a)).deposit, type(uint96).max);

        // The period in the key is the one startClose applies.
        channels.startClose(a);
        channels.startClose(b);
        vm.stopPrank();
        assertEq(channels.getChannel(idOf(a)).closesAt, block.timestamp + 1);
        assertEq(channels.getChannel(idOf(b)).closesAt, block.timestamp + 30 days);
    }

    function test_RevertWhen_OpenWithBadArguments() public {
        IPaymentChannels.ChannelKey memory key = newKey();
        vm.startPrank(alice);

        key.payee = address(0);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.InvalidPayee.selector, address(0)));
        channels.open(key, 1);
        key.payee = alice;
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.InvalidPayee.selector, alice));
        channels.open(key, 1);
        key.payee = bob;

        vm.expectRevert(IPaymentChannels.ZeroAmount.selector);
        channels.open(key, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.DepositTooLarge.selector, uint256(type(uint96).max) + 1)
        );
        channels.open(key, uint256(type(uint96).max) + 1);

        key.challengePeriod = 0;
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChallengePeriodOutOfRange.selector, 0));
        channels.open(key, 1);
        key.challengePeriod = 30 days + 1;
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChallengePeriodOutOfRange.selector, 30 days + 1));
        channels.open(key, 1);
        key.challengePeriod = type(uint64).max;
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChallengePeriodOutOfRange.selector, type(uint64).max));
        channels.open(key, 1);
        key.challengePeriod = PERIOD;

        key.token = keeper;
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.InvalidToken.selector, keeper));
        channels.open(key, 1);
        vm.stopPrank();
        assertEq(token.balanceOf(address(channels)), 0);
    }

    function test_RevertWhen_OpenByNonPayer() public {
        // Mallory cannot open Alice's key: she would take the id Alice means to use.
        IPaymentChannels.ChannelKey memory key = newKey();
        vm.prank(mallory);
        token.approve(address(channels), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayer.selector, idOf(key), mallory));
        vm.prank(mallory);
        channels.open(key, 1_000);

        assertEq(uint8(channels.getChannel(idOf(key)).status), uint8(IPaymentChannels.Status.None));
        assertEq(token.balanceOf(address(channels)), 0);
        // Alice still can.
        vm.prank(alice);
        channels.open(key, 1_000);
        assertChannel(idOf(key), 1_000, 0, 0, IPaymentChannels.Status.Open);
    }

    function test_RevertWhen_OpenWithoutAllowance() public {
        IPaymentChannels.ChannelKey memory key = newKey();
        key.payer = mallory;
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(channels), 0, 1)
        );
        vm.prank(mallory);
        channels.open(key, 1);
    }

    function test_RevertWhen_OpenWithFeeOnTransferToken() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        fee.mint(alice, 1_000);
        IPaymentChannels.ChannelKey memory key = newKey();
        key.token = address(fee);
        vm.startPrank(alice);
        fee.approve(address(channels), 1_000);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.DepositNotReceived.selector, 1_000, 990));
        channels.open(key, 1_000);
        vm.stopPrank();
    }

    function test_RevertWhen_TokenReenters() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(alice, 1_000);
        IPaymentChannels.ChannelKey memory key = newKey();
        key.token = address(re);
        vm.startPrank(alice);
        re.approve(address(channels), 1_000);
        channels.open(key, 500);
        vm.stopPrank();
        re.arm(channels, key);

        IPaymentChannels.ChannelKey memory second = newKey();
        second.token = address(re);
        vm.expectRevert(abi.encodeWithSignature("ReentrancyGuardReentrantCall()"));
        vm.prank(alice);
        channels.open(second, 500);
        vm.expectRevert(abi.encodeWithSignature("ReentrancyGuardReentrantCall()"));
        vm.prank(alice);
        channels.topUp(key, 1);
    }

    function test_OpenWithPermit() public {
        vm.prank(alice);
        token.approve(address(channels), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = permitSig(7_000_000, deadline);
        IPaymentChannels.ChannelKey memory key = newKey();

        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelOpened(idOf(key), alice, bob, address(token), 7_000_000, PERIOD, key.salt);
        vm.prank(alice);
        bytes32 id = channels.openWithPermit(key, 7_000_000, deadline, v, r, s);

        assertEq(id, idOf(key));
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

        IPaymentChannels.ChannelKey memory key = newKey();
        vm.prank(alice);
        bytes32 id = channels.openWithPermit(key, 7_000_000, deadline, v, r, s);
        assertChannel(id, 7_000_000, 0, 0, IPaymentChannels.Status.Open);
    }

    function test_RevertWhen_OpenWithBadPermit() public {
        vm.prank(alice);
        token.approve(address(channels), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = permitSig(7_000_000, deadline);
        IPaymentChannels.ChannelKey memory key = newKey();

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PermitFailed.selector, 0, 8_000_000));
        vm.prank(alice);
        channels.openWithPermit(key, 8_000_000, deadline, v, r, s);

        // Someone else relaying Alice's permit with her key is not the payer.
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayer.selector, idOf(key), mallory));
        vm.prank(mallory);
        channels.openWithPermit(key, 7_000_000, deadline, v, r, s);

        key.token = keeper;
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.InvalidToken.selector, keeper));
        vm.prank(alice);
        channels.openWithPermit(key, 7_000_000, deadline, v, r, s);
        assertEq(token.nonces(alice), 0);
    }

    function test_RevertWhen_ReopeningAKey() public {
        IPaymentChannels.ChannelKey memory key = openChannel(100);
        bytes32 id = idOf(key);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelExists.selector, id));
        channels.open(key, 100);

        channels.startClose(key);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelExists.selector, id));
        channels.open(key, 100);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(key);
        assertClosed(id);
        // Closed for good: the key never opens again, so no old voucher can pay from a new deposit.
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelExists.selector, id));
        channels.open(key, 100);
        vm.stopPrank();

        // Same parameters with another salt: a new channel.
        IPaymentChannels.ChannelKey memory next = openChannel(100);
        assertTrue(idOf(next) != id);
        assertChannel(idOf(next), 100, 0, 0, IPaymentChannels.Status.Open);
        assertEq(token.balanceOf(address(channels)), 100);
    }

    function test_RevertWhen_ReopeningACooperativelyClosedKey() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes memory sig = sign(aliceKey, key, 4_000, 4);
        vm.prank(bob);
        channels.cooperativeClose(key, 4_000, 4, TERMS, ENVELOPE, sig);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelExists.selector, idOf(key)));
        vm.prank(alice);
        channels.open(key, 10_000);
        // The old voucher stays worthless.
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, idOf(key)));
        claimAs(bob, key, 4_000, 4, sig);
        assertEq(token.balanceOf(bob), 4_000);
    }

    // ---- topUp ----

    function test_TopUp() public {
        IPaymentChannels.ChannelKey memory key = openChannel(1_000);
        bytes32 id = idOf(key);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelToppedUp(id, 500, 1_500);
        vm.prank(alice);
        channels.topUp(key, 500);

        assertChannel(id, 1_500, 0, 0, IPaymentChannels.Status.Open);
        assertEq(token.balanceOf(address(channels)), 1_500);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 1_500);
    }

    function test_RevertWhen_TopUpInvalid() public {
        IPaymentChannels.ChannelKey memory key = openChannel(1_000);
        bytes32 id = idOf(key);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayer.selector, id, bob));
        vm.prank(bob);
        channels.topUp(key, 1);

        vm.startPrank(alice);
        vm.expectRevert(IPaymentChannels.ZeroAmount.selector);
        channels.topUp(key, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.DepositTooLarge.selector, uint256(type(uint96).max) + 1)
        );
        channels.topUp(key, uint256(type(uint96).max) + 1 - 1_000);
        IPaymentChannels.ChannelKey memory unknown = keyWith(bytes32(uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotFound.selector, idOf(unknown)));
        channels.topUp(unknown, 1);

        channels.startClose(key);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosing.selector, id));
        channels.topUp(key, 1);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(key);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.topUp(key, 1);
        vm.stopPrank();
    }

    // ---- claim ----

    function test_Claim() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 id = idOf(key);

        vm.expectEmit(address(channels));
        emit IPaymentChannels.Claimed(id, 3_000, 3, TERMS, 3_000);
        claimAs(bob, key, 3_000, 3, sign(aliceKey, key, 3_000, 3));
        assertEq(token.balanceOf(bob), 3_000);
        assertChannel(id, 10_000, 3_000, 0, IPaymentChannels.Status.Open);

        // The next cumulative voucher pays only the difference.
        vm.expectEmit(address(channels));
        emit IPaymentChannels.Claimed(id, 10_000, 9, TERMS, 7_000);
        claimAs(bob, key, 10_000, 9, sign(aliceKey, key, 10_000, 9));
        assertEq(token.balanceOf(bob), 10_000);
        assertEq(token.balanceOf(address(channels)), 0);
        assertChannel(id, 10_000, 10_000, 0, IPaymentChannels.Status.Open);
    }

    function test_ClaimDuringAndAfterChallengeWindow() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        vm.prank(alice);
        channels.startClose(key);

        claimAs(bob, key, 1_000, 1, sign(aliceKey, key, 1_000, 1));
        // Past closesAt but not yet finalized: the payee can still claim.
        vm.warp(block.timestamp + PERIOD + 1);
        claimAs(bob, key, 2_000, 2, sign(aliceKey, key, 2_000, 2));
        assertEq(token.balanceOf(bob), 2_000);

        channels.finalize(key);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 2_000);
    }

    function test_RevertWhen_ClaimStateInvalid() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 id = idOf(key);
        bytes memory sig = sign(aliceKey, key, 1_000, 1);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayee.selector, id, mallory));
        claimAs(mallory, key, 1_000, 1, sig);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayee.selector, id, alice));
        claimAs(alice, key, 1_000, 1, sig);

        IPaymentChannels.ChannelKey memory unknown = keyWith(keccak256("unknown"));
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotFound.selector, idOf(unknown)));
        claimAs(bob, unknown, 1_000, 1, sign(aliceKey, unknown, 1_000, 1));

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.StaleVoucher.selector, 0, 0));
        claimAs(bob, key, 0, 0, sign(aliceKey, key, 0, 0));

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.VoucherExceedsDeposit.selector, 10_001, 10_000));
        claimAs(bob, key, 10_001, 5, sign(aliceKey, key, 10_001, 5));

        claimAs(bob, key, 1_000, 1, sig);
        // Replaying the same voucher, or an older one, pays nothing.
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.StaleVoucher.selector, 1_000, 1_000));
        claimAs(bob, key, 1_000, 1, sig);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.StaleVoucher.selector, 500, 1_000));
        claimAs(bob, key, 500, 1, sign(aliceKey, key, 500, 1));

        assertEq(token.balanceOf(bob), 1_000);
    }

    function test_RevertWhen_ClaimAfterFinalize() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes memory sig = sign(aliceKey, key, 4_000, 4);
        vm.prank(alice);
        channels.startClose(key);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(key);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, idOf(key)));
        claimAs(bob, key, 4_000, 4, sig);
        assertEq(token.balanceOf(bob), 0);
        assertEq(token.balanceOf(alice), 1_000_000_000);
    }

    function test_RevertWhen_ClaimSignedByWrongKey() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.WrongSigner.selector, mallory, alice));
        claimAs(bob, key, 1_000, 1, sign(malloryKey, key, 1_000, 1));
    }

    function test_RevertWhen_ClaimTampered() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes memory sig = sign(aliceKey, key, 1_000, 1);
        uint256 snapshot = vm.snapshotState();

        // Each field is signed: changing any of them recovers someone else.
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, key, 2_000, 1, sig);
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, key, 1_000, 2, sig);
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        vm.prank(bob);
        channels.claim(key, 1_000, 1, keccak256("other terms"), ENVELOPE, sig);
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        vm.prank(bob);
        channels.claim(key, 1_000, 1, TERMS, keccak256("another request"), sig);
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        vm.prank(bob);
        channels.claim(key, 1_000, 1, TERMS, bytes32(0), sig);
        vm.revertToState(snapshot);
    }

    function test_RevertWhen_KeyFieldWrong() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes memory sig = sign(aliceKey, key, 1_000, 1);
        vm.prank(alice);
        channels.startClose(key);
        vm.warp(block.timestamp + PERIOD);

        // Each field is part of the id: with any one changed there is no such channel, even for a
        // key that names a caller as payer or payee (period 1 hour + 1 would finalize sooner).
        bytes32[5] memory values = [
            bytes32(uint256(uint160(mallory))),
            bytes32(uint256(uint160(mallory))),
            bytes32(uint256(uint160(address(new GotongToken("Other", "OT", owner))))),
            bytes32(uint256(PERIOD + 1)),
            keccak256("other salt")
        ];
        for (uint256 field; field < 5; field++) {
            IPaymentChannels.ChannelKey memory wrong = mutate(key, field, values[field]);
            bytes memory notFound = abi.encodeWithSelector(IPaymentChannels.ChannelNotFound.selector, idOf(wrong));
            vm.expectRevert(notFound);
            claimAs(wrong.payee, wrong, 1_000, 1, sig);
            vm.expectRevert(notFound);
            vm.prank(wrong.payee);
            channels.cooperativeClose(wrong, 1_000, 1, TERMS, ENVELOPE, sig);
            vm.expectRevert(notFound);
            vm.prank(wrong.payer);
            channels.topUp(wrong, 1);
            vm.expectRevert(notFound);
            vm.prank(wrong.payer);
            channels.startClose(wrong);
            vm.expectRevert(notFound);
            channels.finalize(wrong);
        }
        assertEq(token.balanceOf(address(channels)), 10_000);
        // The right key still works.
        claimAs(bob, key, 1_000, 1, sig);
        channels.finalize(key);
        assertEq(token.balanceOf(bob), 1_000);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 1_000);
    }

    function test_RevertWhen_ClaimWithVoucherOfAnotherChannel() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        IPaymentChannels.ChannelKey memory other = openChannel(10_000);
        bytes memory sig = sign(aliceKey, other, 1_000, 1);
        address recovered =
            recover(voucherDigest(block.chainid, address(channels), idOf(key), 1_000, 1, TERMS, ENVELOPE), sig);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.WrongSigner.selector, recovered, alice));
        claimAs(bob, key, 1_000, 1, sig);
    }

    function test_RevertWhen_ClaimWithVoucherForAnotherChain() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 id = idOf(key);
        bytes32 digest = voucherDigest(block.chainid + 1, address(channels), id, 1_000, 1, TERMS, ENVELOPE);
        bytes memory sig = signDigest(aliceKey, digest);

        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, key, 1_000, 1, sig);

        // The same voucher is good once the chain id matches, proving the chain id is what differed.
        vm.chainId(block.chainid + 1);
        claimAs(bob, key, 1_000, 1, sig);
        assertEq(token.balanceOf(bob), 1_000);
    }

    function test_RevertWhen_ClaimWithVoucherForAnotherContract() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        PaymentChannels twin = new PaymentChannels();
        bytes memory sig =
            signDigest(aliceKey, voucherDigest(block.chainid, address(twin), idOf(key), 1_000, 1, TERMS, ENVELOPE));

        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, key, 1_000, 1, sig);
        assertEq(token.balanceOf(bob), 0);
    }

    function test_RevertWhen_ClaimWithMalleableSignature() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 digest = voucherDigest(block.chainid, address(channels), idOf(key), 1_000, 1, TERMS, ENVELOPE);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, digest);
        // (r, n - s, v ^ 1) is the same signature's twin, which ecrecover accepts.
        bytes32 highS = bytes32(N - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        assertEq(ecrecover(digest, flippedV, r, highS), alice);

        vm.expectRevert(IPaymentChannels.MalformedSignature.selector);
        claimAs(bob, key, 1_000, 1, abi.encodePacked(r, highS, flippedV));
        // The canonical form works.
        claimAs(bob, key, 1_000, 1, abi.encodePacked(r, s, v));
    }

    function test_RevertWhen_ClaimWithGarbageSignature() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(aliceKey, voucherDigest(block.chainid, address(channels), idOf(key), 1_000, 1, TERMS, ENVELOPE));

        bytes[5] memory bad = [
            bytes(""),
            abi.encodePacked(r, s), // 64 bytes (ERC-2098 compact form is not accepted)
            abi.encodePacked(r, s, v, uint8(0)), // 66 bytes
            abi.encodePacked(bytes32(0), bytes32(0), uint8(27)), // recovers the zero address
            abi.encodePacked(r, s, uint8(29)) // bad v
        ];
        for (uint256 i; i < bad.length; i++) {
            vm.expectRevert(IPaymentChannels.MalformedSignature.selector);
            claimAs(bob, key, 1_000, 1, bad[i]);
        }
        assertEq(token.balanceOf(bob), 0);
    }

    // ---- startClose / finalize ----

    function test_StartCloseAndFinalize() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 id = idOf(key);
        claimAs(bob, key, 2_500, 2, sign(aliceKey, key, 2_500, 2));

        uint64 closesAt = uint64(block.timestamp + PERIOD);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.CloseStarted(id, closesAt);
        vm.prank(alice);
        channels.startClose(key);
        assertChannel(id, 10_000, 2_500, closesAt, IPaymentChannels.Status.Closing);

        vm.warp(closesAt);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelClosed(id, 2_500, 7_500);
        // Anyone may finalize; the refund still goes to the payer.
        vm.prank(keeper);
        channels.finalize(key);

        assertClosed(id);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 2_500);
        assertEq(token.balanceOf(bob), 2_500);
        assertEq(token.balanceOf(keeper), 0);
        assertEq(token.balanceOf(address(channels)), 0);
    }

    function test_FinalizeFullyClaimed() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        claimAs(bob, key, 10_000, 2, sign(aliceKey, key, 10_000, 2));
        vm.prank(alice);
        channels.startClose(key);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(key);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 10_000);
        assertClosed(idOf(key));
    }

    function test_RevertWhen_StartCloseInvalid() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 id = idOf(key);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayer.selector, id, bob));
        vm.prank(bob);
        channels.startClose(key);
        IPaymentChannels.ChannelKey memory unknown = keyWith(bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotFound.selector, idOf(unknown)));
        vm.prank(alice);
        channels.startClose(unknown);

        vm.startPrank(alice);
        channels.startClose(key);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosing.selector, id));
        channels.startClose(key);
        vm.warp(block.timestamp + PERIOD);
        channels.finalize(key);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.startClose(key);
        vm.stopPrank();
    }

    function test_RevertWhen_FinalizeInvalid() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 id = idOf(key);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotClosing.selector, id));
        channels.finalize(key);
        IPaymentChannels.ChannelKey memory unknown = keyWith(bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelNotFound.selector, idOf(unknown)));
        channels.finalize(unknown);

        vm.prank(alice);
        channels.startClose(key);
        uint64 closesAt = uint64(block.timestamp + PERIOD);
        vm.warp(closesAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChallengePeriodActive.selector, id, closesAt));
        channels.finalize(key);

        vm.warp(closesAt);
        channels.finalize(key);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.finalize(key);
        assertEq(token.balanceOf(alice), 1_000_000_000);
    }

    // ---- cooperativeClose ----

    function test_CooperativeClose() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 id = idOf(key);
        claimAs(bob, key, 1_000, 1, sign(aliceKey, key, 1_000, 1));

        vm.expectEmit(address(channels));
        emit IPaymentChannels.Claimed(id, 6_000, 6, TERMS, 5_000);
        vm.expectEmit(address(channels));
        emit IPaymentChannels.ChannelClosed(id, 6_000, 4_000);
        vm.prank(bob);
        channels.cooperativeClose(key, 6_000, 6, TERMS, ENVELOPE, sign(aliceKey, key, 6_000, 6));

        assertClosed(id);
        assertEq(token.balanceOf(bob), 6_000);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 6_000);
        assertEq(token.balanceOf(address(channels)), 0);
    }

    function test_CooperativeCloseWhileClosingWithLastClaimedVoucher() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes memory sig = sign(aliceKey, key, 1_000, 1);
        claimAs(bob, key, 1_000, 1, sig);
        vm.prank(alice);
        channels.startClose(key);

        // The voucher already claimed closes the channel at once, paying nothing more.
        vm.prank(bob);
        channels.cooperativeClose(key, 1_000, 1, TERMS, ENVELOPE, sig);
        assertEq(token.balanceOf(bob), 1_000);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 1_000);
        assertClosed(idOf(key));
    }

    function test_CooperativeCloseOfWholeDeposit() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        vm.prank(bob);
        channels.cooperativeClose(key, 10_000, 10, TERMS, ENVELOPE, sign(aliceKey, key, 10_000, 10));
        assertEq(token.balanceOf(bob), 10_000);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 10_000);
    }

    function test_RevertWhen_CooperativeCloseInvalid() public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 id = idOf(key);
        claimAs(bob, key, 2_000, 2, sign(aliceKey, key, 2_000, 2));
        bytes memory sig = sign(aliceKey, key, 3_000, 3);

        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayee.selector, id, alice));
        vm.prank(alice);
        channels.cooperativeClose(key, 3_000, 3, TERMS, ENVELOPE, sig);

        vm.startPrank(bob);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.StaleVoucher.selector, 1_000, 2_000));
        channels.cooperativeClose(key, 1_000, 1, TERMS, ENVELOPE, sign(aliceKey, key, 1_000, 1));
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.VoucherExceedsDeposit.selector, 10_001, 10_000));
        channels.cooperativeClose(key, 10_001, 3, TERMS, ENVELOPE, sign(aliceKey, key, 10_001, 3));
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.WrongSigner.selector, mallory, alice));
        channels.cooperativeClose(key, 3_000, 3, TERMS, ENVELOPE, sign(malloryKey, key, 3_000, 3));
        vm.expectRevert(IPaymentChannels.MalformedSignature.selector);
        channels.cooperativeClose(key, 3_000, 3, TERMS, ENVELOPE, "");

        channels.cooperativeClose(key, 3_000, 3, TERMS, ENVELOPE, sig);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.cooperativeClose(key, 3_000, 3, TERMS, ENVELOPE, sig);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.ChannelIsClosed.selector, id));
        channels.claim(key, 4_000, 4, TERMS, ENVELOPE, sign(aliceKey, key, 4_000, 4));
        vm.stopPrank();
        assertEq(token.balanceOf(bob), 3_000);
    }

    // ---- gas budgets ----

    /// Transaction gas (with the 21,000 base and calldata) when run with `--isolate`, which
    /// `--gas-report` turns on; without it the calls share one warm transaction and cost less.
    /// Budgets: open 110,000 (µRaiden: 120,090), claim 70,000, open + cooperativeClose 180,000.
    /// Opening writes one fresh slot (22,100 of it); the key travels in calldata instead.
    function test_GasBudgets() public {
        // A payee that has been paid before and a contract that already holds the token.
        openChannel(1);
        vm.prank(owner);
        token.mint(bob, 1);
        // A random-looking salt, so its calldata costs what a real one does.
        IPaymentChannels.ChannelKey memory key = keyWith(keccak256("a salt as random as a real one"));

        vm.prank(alice);
        channels.open(key, 10_000);
        uint256 openGas = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("open", openGas);
        assertLe(openGas, 110_000, "open");

        bytes memory sig = sign(aliceKey, key, 1_000, 1);
        vm.prank(bob);
        channels.claim(key, 1_000, 1, TERMS, ENVELOPE, sig);
        emit log_named_uint("claim", vm.lastCallGas().gasTotalUsed);
        assertLe(vm.lastCallGas().gasTotalUsed, 70_000, "claim");

        sig = sign(aliceKey, key, 2_000, 2);
        vm.prank(bob);
        channels.cooperativeClose(key, 2_000, 2, TERMS, ENVELOPE, sig);
        emit log_named_uint("cooperativeClose", vm.lastCallGas().gasTotalUsed);
        emit log_named_uint("open + cooperativeClose", openGas + vm.lastCallGas().gasTotalUsed);
        assertLe(openGas + vm.lastCallGas().gasTotalUsed, 180_000, "open + cooperativeClose");
    }

    /// The other calls' gas, for the record (run with --isolate -vv to see it).
    function test_GasOfTheUnilateralPath() public {
        openChannel(1);
        vm.prank(owner);
        token.mint(bob, 1);
        IPaymentChannels.ChannelKey memory key = keyWith(keccak256("a salt as random as a real one"));
        vm.startPrank(alice);
        channels.open(key, 10_000);
        channels.topUp(key, 5_000);
        emit log_named_uint("topUp", vm.lastCallGas().gasTotalUsed);
        channels.startClose(key);
        emit log_named_uint("startClose", vm.lastCallGas().gasTotalUsed);
        vm.stopPrank();
        claimAs(bob, key, 1_000, 1, sign(aliceKey, key, 1_000, 1));
        emit log_named_uint("claim while closing", vm.lastCallGas().gasTotalUsed);
        vm.warp(block.timestamp + PERIOD);
        vm.prank(keeper);
        channels.finalize(key);
        emit log_named_uint("finalize", vm.lastCallGas().gasTotalUsed);
        assertEq(token.balanceOf(alice), 1_000_000_000 - 1 - 1_000);
    }

    /// The first channel of a fresh contract paying a payee that never held the token: the
    /// contract's and the payee's token balances are fresh slots (17,100 more each).
    function test_GasWhenBalancesAreFresh() public {
        IPaymentChannels.ChannelKey memory key = keyWith(keccak256("a salt as random as a real one"));
        vm.prank(alice);
        channels.open(key, 10_000);
        uint256 openGas = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("open (contract holds no gUSD yet)", openGas);
        assertLe(openGas, 110_000, "open");
        claimAs(bob, key, 1_000, 1, sign(aliceKey, key, 1_000, 1));
        emit log_named_uint("claim (payee holds no gUSD yet)", vm.lastCallGas().gasTotalUsed);

        // A permit from a payer whose permit nonce is still zero.
        vm.prank(alice);
        token.approve(address(channels), 0);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = permitSig(10_000, deadline);
        vm.prank(alice);
        channels.openWithPermit(newKey(), 10_000, deadline, v, r, s);
        emit log_named_uint("openWithPermit (first permit)", vm.lastCallGas().gasTotalUsed);
    }

    // ---- fuzz ----

    function testFuzz_ClaimPaysDifference(uint256 deposit, uint256 first, uint256 second) public {
        deposit = bound(deposit, 1, 1_000_000_000);
        first = bound(first, 1, deposit);
        second = bound(second, first, deposit);
        IPaymentChannels.ChannelKey memory key = openChannel(deposit);

        claimAs(bob, key, first, 1, sign(aliceKey, key, first, 1));
        if (second > first) claimAs(bob, key, second, 2, sign(aliceKey, key, second, 2));
        assertEq(token.balanceOf(bob), second);
        assertEq(token.balanceOf(address(channels)), deposit - second);
    }

    function testFuzz_MalformedSignatureNeverPays(bytes calldata signature, uint256 amount) public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        amount = bound(amount, 1, 10_000);
        vm.prank(bob);
        try channels.claim(key, amount, 1, TERMS, ENVELOPE, signature) {
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
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        vm.prank(bob);
        try channels.claim(key, 1_000, 1, TERMS, ENVELOPE, abi.encodePacked(r, s, v)) {
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
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes32 id = idOf(key);
        chainId = bound(chainId, 1, type(uint64).max);
        vm.assume(chainId != block.chainid || verifyingContract != address(channels) || channelId != id);
        amount = bound(amount, 1, 10_000);
        bytes memory sig =
            signDigest(aliceKey, voucherDigest(chainId, verifyingContract, channelId, amount, 1, TERMS, ENVELOPE));

        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        claimAs(bob, key, amount, 1, sig);
        vm.expectPartialRevert(IPaymentChannels.WrongSigner.selector);
        vm.prank(bob);
        channels.cooperativeClose(key, amount, 1, TERMS, ENVELOPE, sig);
        assertEq(token.balanceOf(bob), 0);
    }

    /// A good voucher presented with a key that differs in any field pays nothing and moves nothing.
    function testFuzz_WrongKeyFieldNeverActs(uint256 field, bytes32 value, uint256 amount) public {
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        IPaymentChannels.ChannelKey memory wrong = mutate(key, field, value);
        vm.assume(idOf(wrong) != idOf(key));
        amount = bound(amount, 1, 10_000);
        bytes memory sig = sign(aliceKey, key, amount, 1);
        bytes memory notFound = abi.encodeWithSelector(IPaymentChannels.ChannelNotFound.selector, idOf(wrong));
        assertEq(channels.channelIdOf(wrong), idOf(wrong));

        vm.expectRevert(notFound);
        claimAs(wrong.payee, wrong, amount, 1, sig);
        vm.expectRevert(notFound);
        vm.prank(wrong.payee);
        channels.cooperativeClose(wrong, amount, 1, TERMS, ENVELOPE, sig);
        vm.expectRevert(notFound);
        vm.prank(wrong.payer);
        channels.startClose(wrong);
        vm.expectRevert(notFound);
        channels.finalize(wrong);
        assertEq(token.balanceOf(address(channels)), 10_000);
        assertChannel(idOf(key), 10_000, 0, 0, IPaymentChannels.Status.Open);
    }

    function testFuzz_OnlyPayeeClaims(address caller) public {
        vm.assume(caller != bob);
        IPaymentChannels.ChannelKey memory key = openChannel(10_000);
        bytes memory sig = sign(aliceKey, key, 1_000, 1);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayee.selector, idOf(key), caller));
        claimAs(caller, key, 1_000, 1, sig);
    }

    function testFuzz_OnlyPayerOpens(address caller) public {
        vm.assume(caller != alice);
        IPaymentChannels.ChannelKey memory key = newKey();
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.NotPayer.selector, idOf(key), caller));
        vm.prank(caller);
        channels.open(key, 1_000);
    }

    function recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        (bytes32 r, bytes32 s) = abi.decode(sig, (bytes32, bytes32));
        return ecrecover(digest, uint8(sig[64]), r, s);
    }
}
