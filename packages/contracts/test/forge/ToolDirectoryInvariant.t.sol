// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {ToolDirectory} from "../../contracts/ToolDirectory.sol";
import {IToolRegistry} from "../../contracts/interfaces/IToolRegistry.sol";
import {ToolDirectoryHandler} from "./handlers/ToolDirectoryHandler.sol";

contract ToolDirectoryInvariantTest is Test {
    ToolDirectory dir;
    ToolDirectoryHandler handler;

    function setUp() public {
        dir = new ToolDirectory();
        handler = new ToolDirectoryHandler(dir);
        targetContract(address(handler));
    }

    /// Ids are 1, 2, 3…, never reused, and `toolCount` only rises.
    function invariant_IdsSequentialAndCountOnlyRises() public view {
        assertFalse(handler.idOrCountBroken());
        assertEq(dir.toolCount(), handler.registrations());
        assertEq(handler.idCount(), handler.registrations());
        for (uint256 i; i < handler.idCount(); i++) {
            assertEq(handler.ids(i), i + 1);
        }
    }

    /// No stranger changed a tool, and no operation on a deregistered tool succeeded.
    function invariant_AccessControlHolds() public view {
        assertFalse(handler.accessControlBroken());
    }

    /// Every operation on a deregistered tool reverts with `ToolIsDeregistered`, even its creator's.
    function invariant_DeregisteredToolsRevertEverywhere() public {
        for (uint256 i; i < handler.idCount(); i++) {
            uint256 id = handler.ids(i);
            if (!handler.deregistered(id)) continue;
            address creator = handler.creatorOf(id);
            bytes memory err = abi.encodeWithSelector(IToolRegistry.ToolIsDeregistered.selector, id);
            bytes[9] memory calls = [
                abi.encodeCall(dir.getToolConfig, (id)),
                abi.encodeCall(dir.hasAccess, (id, creator, "")),
                abi.encodeCall(dir.tryHasAccess, (id, creator, "")),
                abi.encodeCall(dir.toolVersion, (id)),
                abi.encodeCall(dir.manifestHashAt, (id, 1)),
                abi.encodeCall(dir.updateToolMetadata, (id, "https://x.example", keccak256("x"))),
                abi.encodeCall(dir.updateToolMetadataWithManifest, (id, "https://x.example", keccak256("x"), "x")),
                abi.encodeCall(dir.setAccessPredicate, (id, address(0))),
                abi.encodeCall(dir.deregisterTool, (id))
            ];
            for (uint256 j; j < calls.length; j++) {
                vm.prank(creator);
                (bool ok, bytes memory ret) = address(dir).call(calls[j]);
                assertFalse(ok);
                assertEq(ret, err);
            }
        }
    }

    /// Each live tool's lineage is complete: versions 1..toolVersion all have a non-zero hash,
    /// equal to what the handler committed, and the last is the current manifest hash.
    function invariant_LineageUnbroken() public view {
        for (uint256 i; i < handler.idCount(); i++) {
            uint256 id = handler.ids(i);
            if (handler.deregistered(id)) continue;
            uint64 version = dir.toolVersion(id);
            assertEq(version, handler.ghostVersion(id));
            for (uint64 v = 1; v <= version; v++) {
                bytes32 h = dir.manifestHashAt(id, v);
                assertTrue(h != bytes32(0));
                assertEq(h, handler.ghostHash(id, v));
            }
            assertEq(dir.manifestHashAt(id, version), dir.getToolConfig(id).manifestHash);
        }
    }

    /// Past the high-water mark there is nothing.
    function invariant_NothingBeyondToolCount() public {
        uint256 next = dir.toolCount() + 1;
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.ToolNotFound.selector, next));
        dir.getToolConfig(next);
    }
}
