// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IdentityRegistry} from "../../../contracts/IdentityRegistry.sol";
import {Erc8004Fixture} from "../utils/Erc8004Fixture.sol";

/// Random registrations, transfers (both kinds), wallet proofs (good and naming a former or
/// future owner) and wallet removals among four actors, with ghost owners and wallets.
contract IdentityRegistryHandler is Erc8004Fixture {
    uint256 public constant ACTORS = 4;

    address[ACTORS] public actors;
    uint256[ACTORS] keys;

    uint256[] public ids;
    mapping(uint256 agentId => address) public ghostOwner;
    /// The wallet last proven since the agent last changed hands (zero if none, or removed).
    mapping(uint256 agentId => address) public ghostWallet;
    /// A proof for another owner accepted, a legal call refused, an id out of sequence.
    uint256 public violations;

    constructor(IdentityRegistry identity_) {
        identity = identity_;
        for (uint256 i; i < ACTORS; i++) {
            (actors[i], keys[i]) = makeAddrAndKey(string.concat("actor", vm.toString(i)));
        }
    }

    function agentCount() external view returns (uint256) {
        return ids.length;
    }

    function register(uint256 actorSeed) external {
        address actor = actors[actorSeed % ACTORS];
        vm.prank(actor);
        uint256 agentId = identity.register("ipfs://agent");
        if (agentId != ids.length + 1) ++violations;
        ids.push(agentId);
        ghostOwner[agentId] = actor;
        ghostWallet[agentId] = actor;
    }

    function transfer(uint256 agentSeed, uint256 toSeed, bool safe) external {
        if (ids.length == 0) return;
        uint256 agentId = ids[agentSeed % ids.length];
        address from = ghostOwner[agentId];
        address to = actors[toSeed % ACTORS];
        vm.prank(from);
        if (safe) identity.safeTransferFrom(from, to, agentId);
        else identity.transferFrom(from, to, agentId);
        ghostOwner[agentId] = to;
        ghostWallet[agentId] = address(0);
    }

    /// The owner sets a wallet with a proof naming `namedSeed`'s actor as owner: accepted only
    /// when that is the owner.
    function setWallet(uint256 agentSeed, uint256 walletSeed, uint256 namedSeed) external {
        if (ids.length == 0) return;
        uint256 agentId = ids[agentSeed % ids.length];
        address owner = ghostOwner[agentId];
        uint256 walletKey = keys[walletSeed % ACTORS];
        address wallet = vm.addr(walletKey);
        address named = actors[namedSeed % ACTORS];
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = signDigest(walletKey, walletDigest(agentId, wallet, named, deadline));
        vm.prank(owner);
        try identity.setAgentWallet(agentId, wallet, deadline, proof) {
            if (named != owner) return _violation();
            ghostWallet[agentId] = wallet;
        } catch {
            if (named == owner) _violation();
        }
    }

    function unsetWallet(uint256 agentSeed) external {
        if (ids.length == 0) return;
        uint256 agentId = ids[agentSeed % ids.length];
        vm.prank(ghostOwner[agentId]);
        identity.unsetAgentWallet(agentId);
        ghostWallet[agentId] = address(0);
    }

    function _violation() private {
        ++violations;
    }
}
