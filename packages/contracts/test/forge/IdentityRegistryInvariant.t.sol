// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IdentityRegistry} from "../../contracts/IdentityRegistry.sol";
import {IdentityRegistryHandler} from "./handlers/IdentityRegistryHandler.sol";

contract IdentityRegistryInvariantTest is Test {
    IdentityRegistry identity;
    IdentityRegistryHandler handler;

    function setUp() public {
        identity = new IdentityRegistry();
        handler = new IdentityRegistryHandler(identity);
        targetContract(address(handler));
    }

    /// An agent's wallet is the one last proven for its current owner, or none: every transfer
    /// clears it, and `getMetadata("agentWallet")` shows the same, as 20 bytes or empty.
    function invariant_WalletIsProvenSinceTheLastTransfer() public view {
        for (uint256 i; i < handler.agentCount(); i++) {
            uint256 agentId = handler.ids(i);
            address wallet = handler.ghostWallet(agentId);
            assertEq(identity.getAgentWallet(agentId), wallet);
            assertEq(
                identity.getMetadata(agentId, "agentWallet"),
                wallet == address(0) ? bytes("") : abi.encodePacked(wallet)
            );
        }
    }

    /// Ids run 1, 2, 3… and each agent is owned by whom it was last transferred to.
    function invariant_OwnersAndIds() public view {
        for (uint256 i; i < handler.agentCount(); i++) {
            uint256 agentId = handler.ids(i);
            assertEq(agentId, i + 1);
            assertEq(identity.ownerOf(agentId), handler.ghostOwner(agentId));
        }
    }

    /// No proof naming another owner was accepted and no legal call was refused.
    function invariant_NothingUnexpected() public view {
        assertEq(handler.violations(), 0);
    }
}
