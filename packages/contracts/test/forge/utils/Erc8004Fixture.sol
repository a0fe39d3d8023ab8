// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IdentityRegistry} from "../../../contracts/IdentityRegistry.sol";
import {ReputationRegistry} from "../../../contracts/ReputationRegistry.sol";
import {ValidationRegistry} from "../../../contracts/ValidationRegistry.sol";

/// The three ERC-8004 registries, and the wallet proof built from the reference deployment's
/// type and domain texts (not read from the contract).
abstract contract Erc8004Fixture is Test {
    bytes32 constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 constant AGENT_WALLET_SET_TYPEHASH =
        keccak256("AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)");

    IdentityRegistry identity;
    ReputationRegistry reputation;
    ValidationRegistry validation;

    function deployRegistries() internal {
        identity = new IdentityRegistry();
        reputation = new ReputationRegistry(identity);
        validation = new ValidationRegistry(identity);
    }

    function walletDigest(uint256 agentId, address newWallet, address owner, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        bytes32 domain = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH, keccak256("ERC8004IdentityRegistry"), keccak256("1"), block.chainid, address(identity)
            )
        );
        bytes32 structHash = keccak256(abi.encode(AGENT_WALLET_SET_TYPEHASH, agentId, newWallet, owner, deadline));
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    /// `r ‖ s ‖ v`, as eth_signTypedData_v4 returns it.
    function signDigest(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function registerAs(address who, string memory agentURI) internal returns (uint256 agentId) {
        vm.prank(who);
        agentId = identity.register(agentURI);
    }

    /// The agent's owner sets the wallet of `walletKey`, with that key's proof.
    function proveWallet(uint256 agentId, uint256 walletKey) internal {
        address owner = identity.ownerOf(agentId);
        address wallet = vm.addr(walletKey);
        uint256 deadline = block.timestamp + 60;
        bytes memory signature = signDigest(walletKey, walletDigest(agentId, wallet, owner, deadline));
        vm.prank(owner);
        identity.setAgentWallet(agentId, wallet, deadline, signature);
    }
}
