// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, stdError} from "forge-std/Test.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {GotongToken} from "../../contracts/GotongToken.sol";

contract GotongTokenTest is Test {
    // Computed here from the EIP-712 / EIP-2612 texts, not read from the contract.
    bytes32 constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    GotongToken token;
    address owner = makeAddr("owner");
    address alice;
    uint256 aliceKey;
    address bob = makeAddr("bob");
    address relayer = makeAddr("relayer");

    function setUp() public {
        (alice, aliceKey) = makeAddrAndKey("alice");
        token = new GotongToken("Gotong USD", "gUSD", owner);
    }

    function domainSeparator() internal view returns (bytes32) {
        return domainSeparator(address(token));
    }

    function domainSeparator(address verifyingContract) internal view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Gotong USD"), keccak256("1"), block.chainid, verifyingContract)
        );
    }

    function permitDigest(address holder, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, holder, spender, value, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    function signPermit(uint256 key, address holder, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        return vm.sign(key, permitDigest(holder, spender, value, nonce, deadline));
    }

    // ---- metadata ----

    function test_Metadata() public view {
        assertEq(token.name(), "Gotong USD");
        assertEq(token.symbol(), "gUSD");
        assertEq(token.decimals(), 6);
        assertEq(token.totalSupply(), 0);
        assertEq(token.owner(), owner);
    }

    function test_DomainSeparatorMatchesEip712() public view {
        assertEq(token.DOMAIN_SEPARATOR(), domainSeparator());
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) =
            token.eip712Domain();
        assertEq(name, "Gotong USD");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(token));
    }

    function test_DomainSeparatorFollowsChainId() public {
        bytes32 before = token.DOMAIN_SEPARATOR();
        vm.chainId(block.chainid + 1);
        assertTrue(token.DOMAIN_SEPARATOR() != before);
        assertEq(token.DOMAIN_SEPARATOR(), domainSeparator());
    }

    // ---- mint ----

    function test_MintByOwner() public {
        vm.expectEmit(address(token));
        emit IERC20.Transfer(address(0), alice, 5_000_000);
        vm.prank(owner);
        token.mint(alice, 5_000_000);

        assertEq(token.balanceOf(alice), 5_000_000);
        assertEq(token.totalSupply(), 5_000_000);
    }

    function test_RevertWhen_MintByNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        token.mint(alice, 1);
        assertEq(token.totalSupply(), 0);
    }

    function test_RevertWhen_MintToZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        vm.prank(owner);
        token.mint(address(0), 1);
    }

    function test_NewOwnerMintsAndOldOwnerCannot() public {
        vm.prank(owner);
        token.transferOwnership(bob);

        vm.prank(bob);
        token.mint(bob, 7);
        assertEq(token.balanceOf(bob), 7);

        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, owner));
        vm.prank(owner);
        token.mint(owner, 1);
    }

    // ---- transfers ----

    function test_Transfer() public {
        vm.prank(owner);
        token.mint(alice, 1_000_000);

        vm.expectEmit(address(token));
        emit IERC20.Transfer(alice, bob, 250_000);
        vm.prank(alice);
        assertTrue(token.transfer(bob, 250_000));

        assertEq(token.balanceOf(alice), 750_000);
        assertEq(token.balanceOf(bob), 250_000);
        assertEq(token.totalSupply(), 1_000_000);
    }

    function test_RevertWhen_TransferExceedsBalance() public {
        vm.prank(owner);
        token.mint(alice, 10);

        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 10, 11));
        vm.prank(alice);
        // forge-lint: disable-next-line(erc20-unchecked-transfer)
        token.transfer(bob, 11);
    }

    function test_ApproveAndTransferFrom() public {
        vm.prank(owner);
        token.mint(alice, 100);
        vm.prank(alice);
        token.approve(bob, 60);

        vm.prank(bob);
        assertTrue(token.transferFrom(alice, bob, 40));
        assertEq(token.allowance(alice, bob), 20);
        assertEq(token.balanceOf(bob), 40);

        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, bob, 20, 21));
        vm.prank(bob);
        // forge-lint: disable-next-line(erc20-unchecked-transfer)
        token.transferFrom(alice, bob, 21);
    }

    // ---- permit (EIP-2612) ----

    function test_Permit() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(aliceKey, alice, bob, 3_000_000, 0, deadline);

        vm.expectEmit(address(token));
        emit IERC20.Approval(alice, bob, 3_000_000);
        // Anyone may submit the signature; the approval is alice's.
        vm.prank(relayer);
        token.permit(alice, bob, 3_000_000, deadline, v, r, s);

        assertEq(token.allowance(alice, bob), 3_000_000);
        assertEq(token.nonces(alice), 1);
        assertEq(token.allowance(alice, relayer), 0);

        vm.prank(owner);
        token.mint(alice, 3_000_000);
        vm.prank(bob);
        assertTrue(token.transferFrom(alice, bob, 3_000_000));
        assertEq(token.balanceOf(bob), 3_000_000);
        assertEq(token.allowance(alice, bob), 0);
    }

    function test_PermitAtExactDeadline() public {
        uint256 deadline = block.timestamp;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(aliceKey, alice, bob, 1, 0, deadline);
        token.permit(alice, bob, 1, deadline, v, r, s);
        assertEq(token.allowance(alice, bob), 1);
    }

    function test_RevertWhen_PermitExpired() public {
        vm.warp(1_700_000_000);
        uint256 deadline = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(aliceKey, alice, bob, 1, 0, deadline);

        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        token.permit(alice, bob, 1, deadline, v, r, s);
        assertEq(token.nonces(alice), 0);
    }

    function test_RevertWhen_PermitSignedByWrongKey() public {
        (address mallory, uint256 malloryKey) = makeAddrAndKey("mallory");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(malloryKey, alice, bob, 1, 0, deadline);

        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, mallory, alice));
        token.permit(alice, bob, 1, deadline, v, r, s);
        assertEq(token.allowance(alice, bob), 0);
        assertEq(token.nonces(alice), 0);
    }

    function test_RevertWhen_PermitValueTampered() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(aliceKey, alice, bob, 1, 0, deadline);
        address recovered = ecrecover(permitDigest(alice, bob, 1_000_000, 0, deadline), v, r, s);

        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, recovered, alice));
        token.permit(alice, bob, 1_000_000, deadline, v, r, s);
    }

    function test_RevertWhen_PermitReplayed() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(aliceKey, alice, bob, 5, 0, deadline);
        token.permit(alice, bob, 5, deadline, v, r, s);
        vm.prank(alice);
        token.approve(bob, 0);

        // The nonce moved on, so the same signature now recovers to some other address.
        address recovered = ecrecover(permitDigest(alice, bob, 5, 1, deadline), v, r, s);
        assertTrue(recovered != alice);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, recovered, alice));
        token.permit(alice, bob, 5, deadline, v, r, s);
        assertEq(token.allowance(alice, bob), 0);
        assertEq(token.nonces(alice), 1);
    }

    function test_RevertWhen_PermitOnOtherToken() public {
        GotongToken other = new GotongToken("Gotong USD", "gUSD", owner);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(aliceKey, alice, bob, 5, 0, deadline);

        // Signed for `token`; under `other`'s domain it recovers to an unrelated address.
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, alice, bob, 5, 0, deadline));
        address recovered =
            ecrecover(keccak256(abi.encodePacked("\x19\x01", domainSeparator(address(other)), structHash)), v, r, s);
        assertTrue(recovered != alice);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, recovered, alice));
        other.permit(alice, bob, 5, deadline, v, r, s);
        assertEq(other.allowance(alice, bob), 0);
    }

    // ---- fuzz ----

    function testFuzz_MintAndTransferConserveSupply(address to, address other, uint256 minted, uint256 moved) public {
        vm.assume(to != address(0) && other != address(0) && to != other);
        minted = bound(minted, 0, type(uint256).max);
        moved = bound(moved, 0, minted);

        vm.prank(owner);
        token.mint(to, minted);
        vm.prank(to);
        assertTrue(token.transfer(other, moved));

        assertEq(token.balanceOf(to), minted - moved);
        assertEq(token.balanceOf(other), moved);
        assertEq(token.totalSupply(), minted);
        assertEq(token.balanceOf(to) + token.balanceOf(other), token.totalSupply());
    }

    function testFuzz_RevertWhen_MintOverflowsSupply(uint256 first, uint256 second) public {
        first = bound(first, 1, type(uint256).max);
        second = bound(second, type(uint256).max - first + 1, type(uint256).max);

        vm.startPrank(owner);
        token.mint(alice, first);
        vm.expectRevert(stdError.arithmeticError);
        token.mint(bob, second);
        vm.stopPrank();
        assertEq(token.totalSupply(), first);
    }

    function testFuzz_Permit(uint256 key, address spender, uint256 value, uint256 deadline) public {
        // Any valid secp256k1 private key.
        key = bound(key, 1, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140);
        deadline = bound(deadline, block.timestamp, type(uint256).max);
        vm.assume(spender != address(0));
        address holder = vm.addr(key);
        (uint8 v, bytes32 r, bytes32 s) = signPermit(key, holder, spender, value, 0, deadline);

        token.permit(holder, spender, value, deadline, v, r, s);

        assertEq(token.allowance(holder, spender), value);
        assertEq(token.nonces(holder), 1);
    }

    function testFuzz_RevertWhen_MintByNonOwner(address caller, uint256 amount) public {
        vm.assume(caller != owner);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller));
        vm.prank(caller);
        token.mint(caller, amount);
    }
}

/// Drives random mints and transfers among a few holders for the invariant test.
contract GotongTokenHandler is Test {
    GotongToken public immutable token;
    address public immutable owner;
    address[] public holders;

    constructor(GotongToken token_, address owner_) {
        token = token_;
        owner = owner_;
        holders.push(makeAddr("h0"));
        holders.push(makeAddr("h1"));
        holders.push(makeAddr("h2"));
    }

    function holderCount() external view returns (uint256) {
        return holders.length;
    }

    function mint(uint256 who, uint256 amount) external {
        amount = bound(amount, 0, 1e30);
        vm.prank(owner);
        token.mint(holders[who % holders.length], amount);
    }

    function transfer(uint256 from, uint256 to, uint256 amount) external {
        address sender = holders[from % holders.length];
        amount = bound(amount, 0, token.balanceOf(sender));
        vm.prank(sender);
        require(token.transfer(holders[to % holders.length], amount));
    }
}

contract GotongTokenInvariantTest is Test {
    GotongToken token;
    GotongTokenHandler handler;

    function setUp() public {
        address owner = makeAddr("owner");
        token = new GotongToken("Gotong USD", "gUSD", owner);
        handler = new GotongTokenHandler(token, owner);
        targetContract(address(handler));
    }

    /// Mints and transfers never create or destroy tokens outside the holders' balances.
    function invariant_BalancesSumToTotalSupply() public view {
        uint256 sum;
        for (uint256 i; i < handler.holderCount(); i++) {
            sum += token.balanceOf(handler.holders(i));
        }
        assertEq(sum, token.totalSupply());
    }
}
