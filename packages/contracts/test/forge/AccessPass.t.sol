// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC1155MetadataURI} from "@openzeppelin/contracts/token/ERC1155/extensions/IERC1155MetadataURI.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC1155Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {AccessPass} from "../../contracts/AccessPass.sol";

/// Accepts passes and remembers the last hook call, to check what reaches a contract holder.
contract PassReceiver is IERC1155Receiver {
    address public lastOperator;
    uint256 public lastId;
    bytes public lastData;
    uint256 public batchCalls;

    function onERC1155Received(address operator, address, uint256 id, uint256, bytes calldata data)
        external
        returns (bytes4)
    {
        lastOperator = operator;
        lastId = id;
        lastData = data;
        return this.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata data)
        external
        returns (bytes4)
    {
        batchCalls++;
        lastData = data;
        return this.onERC1155BatchReceived.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }
}

contract AccessPassTest is Test {
    string constant URI = "https://passes.gotong.dev/{id}.json";

    AccessPass pass;
    address owner = makeAddr("owner");
    address alice = makeAddr("alice");
    address bob = makeAddr("bob");

    function setUp() public {
        pass = new AccessPass(URI, owner);
    }

    function ids(uint256 a, uint256 b) internal pure returns (uint256[] memory out) {
        out = new uint256[](2);
        out[0] = a;
        out[1] = b;
    }

    function test_Constructor() public view {
        assertEq(pass.owner(), owner);
        assertEq(pass.uri(1), URI);
        assertEq(pass.uri(42), URI);
        assertEq(pass.balanceOf(alice, 1), 0);
    }

    function test_MintByOwner() public {
        vm.expectEmit(address(pass));
        emit IERC1155.TransferSingle(owner, address(0), alice, 2, 3);
        vm.prank(owner);
        pass.mint(alice, 2, 3, "");

        assertEq(pass.balanceOf(alice, 2), 3);
        assertEq(pass.balanceOf(alice, 1), 0);
        assertEq(pass.balanceOf(bob, 2), 0);
    }

    function test_RevertWhen_MintByNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        pass.mint(alice, 1, 1, "");
        assertEq(pass.balanceOf(alice, 1), 0);
    }

    function test_MintBatch() public {
        vm.expectEmit(address(pass));
        emit IERC1155.TransferBatch(owner, address(0), alice, ids(1, 2), ids(5, 1));
        vm.prank(owner);
        pass.mintBatch(alice, ids(1, 2), ids(5, 1), "");

        address[] memory holders = new address[](2);
        holders[0] = alice;
        holders[1] = alice;
        uint256[] memory balances = pass.balanceOfBatch(holders, ids(1, 2));
        assertEq(balances[0], 5);
        assertEq(balances[1], 1);
    }

    function test_RevertWhen_MintBatchByNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, bob));
        vm.prank(bob);
        pass.mintBatch(bob, ids(1, 2), ids(1, 1), "");
    }

    function test_RevertWhen_MintBatchLengthMismatch() public {
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 1;
        vm.expectRevert(abi.encodeWithSelector(IERC1155Errors.ERC1155InvalidArrayLength.selector, 2, 1));
        vm.prank(owner);
        pass.mintBatch(alice, ids(1, 2), amounts, "");
    }

    function test_MintToReceiverContractPassesData() public {
        PassReceiver receiver = new PassReceiver();
        vm.startPrank(owner);
        pass.mint(address(receiver), 7, 1, hex"c0ffee");
        assertEq(receiver.lastOperator(), owner);
        assertEq(receiver.lastId(), 7);
        assertEq(receiver.lastData(), hex"c0ffee");

        pass.mintBatch(address(receiver), ids(1, 2), ids(1, 1), hex"beef");
        vm.stopPrank();
        assertEq(receiver.batchCalls(), 1);
        assertEq(receiver.lastData(), hex"beef");
        assertEq(pass.balanceOf(address(receiver), 7), 1);
    }

    function test_RevertWhen_MintToNonReceiverContract() public {
        // This test contract implements no ERC-1155 receiver hook.
        vm.expectRevert(abi.encodeWithSelector(IERC1155Errors.ERC1155InvalidReceiver.selector, address(this)));
        vm.prank(owner);
        pass.mint(address(this), 1, 1, "");
    }

    function test_HolderTransfersPass() public {
        vm.prank(owner);
        pass.mint(alice, 1, 2, "");

        vm.prank(alice);
        pass.safeTransferFrom(alice, bob, 1, 1, "");
        assertEq(pass.balanceOf(alice, 1), 1);
        assertEq(pass.balanceOf(bob, 1), 1);
    }

    function test_SetURI() public {
        vm.prank(owner);
        pass.setURI("ipfs://passes/{id}");
        assertEq(pass.uri(3), "ipfs://passes/{id}");
    }

    function test_RevertWhen_SetURIByNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        pass.setURI("ipfs://evil/{id}");
        assertEq(pass.uri(3), URI);
    }

    function test_SupportsInterface() public view {
        assertTrue(pass.supportsInterface(0x01ffc9a7)); // ERC-165
        assertTrue(pass.supportsInterface(0xd9b67a26)); // ERC-1155
        assertTrue(pass.supportsInterface(0x0e89341c)); // ERC-1155 metadata URI
        assertEq(type(IERC1155).interfaceId, bytes4(0xd9b67a26));
        assertEq(type(IERC1155MetadataURI).interfaceId, bytes4(0x0e89341c));
        assertFalse(pass.supportsInterface(0xffffffff)); // ERC-165 says this must be false
        assertFalse(pass.supportsInterface(0x36372b07)); // ERC-20
        assertFalse(pass.supportsInterface(0x80ac58cd)); // ERC-721
    }

    function testFuzz_MintAccumulates(address to, uint256 id, uint128 first, uint128 second) public {
        vm.assume(to != address(0) && to.code.length == 0);
        vm.startPrank(owner);
        pass.mint(to, id, first, "");
        pass.mint(to, id, second, "");
        vm.stopPrank();
        assertEq(pass.balanceOf(to, id), uint256(first) + second);
        assertEq(pass.balanceOf(to, id == 0 ? 1 : id - 1), 0);
    }

    function testFuzz_MintBatch(uint256 idA, uint256 idB, uint128 amountA, uint128 amountB) public {
        vm.assume(idA != idB);
        vm.prank(owner);
        pass.mintBatch(bob, ids(idA, idB), ids(amountA, amountB), "");
        assertEq(pass.balanceOf(bob, idA), amountA);
        assertEq(pass.balanceOf(bob, idB), amountB);
    }

    function testFuzz_RevertWhen_MintByNonOwner(address caller) public {
        vm.assume(caller != owner);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, caller));
        vm.prank(caller);
        pass.mint(alice, 1, 1, "");
    }
}
