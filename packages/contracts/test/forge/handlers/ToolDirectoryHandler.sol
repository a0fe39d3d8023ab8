// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {ToolDirectory} from "../../../contracts/ToolDirectory.sol";
import {IToolRegistry} from "../../../contracts/interfaces/IToolRegistry.sol";
import {AlwaysDenyPredicate} from "../../../contracts/predicates/AlwaysDenyPredicate.sol";

/// Drives random registrations, updates, predicate changes and deregistrations by a few creators,
/// and keeps a ghost copy of every tool's lineage for the invariant test.
contract ToolDirectoryHandler is Test {
    ToolDirectory public immutable dir;
    address[] internal actors;
    address[] internal predicates;

    uint256[] public ids;
    mapping(uint256 toolId => address) public creatorOf;
    mapping(uint256 toolId => bool) public deregistered;
    mapping(uint256 toolId => uint64) public ghostVersion;
    mapping(uint256 toolId => mapping(uint64 version => bytes32)) public ghostHash;
    mapping(uint256 toolId => string) internal ghostURI;

    uint256 public registrations;
    /// Set if an id was not `toolCount() + 1`, or `toolCount()` ever went down.
    bool public idOrCountBroken;
    /// Set if an operation on a deregistered tool did not revert with `ToolIsDeregistered`, or
    /// a stranger changed a tool.
    bool public accessControlBroken;

    constructor(ToolDirectory dir_) {
        dir = dir_;
        actors.push(makeAddr("creator0"));
        actors.push(makeAddr("creator1"));
        actors.push(makeAddr("creator2"));
        predicates.push(address(0));
        predicates.push(address(new AlwaysDenyPredicate()));
        predicates.push(makeAddr("codeless predicate"));
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function _uri(uint256 seed) internal pure returns (string memory) {
        return string.concat("https://tools.example/.well-known/ai-tool/t", vm.toString(seed % 4), ".json");
    }

    function _manifest(uint256 seed) internal pure returns (bytes memory) {
        return abi.encodePacked('{"tool":', vm.toString(seed % 3), "}");
    }

    function _pick(uint256 seed) internal view returns (uint256 toolId) {
        return ids[seed % ids.length];
    }

    modifier countNeverFalls() {
        uint256 before = dir.toolCount();
        _;
        if (dir.toolCount() < before) idOrCountBroken = true;
    }

    function register(
        uint256 actorSeed,
        uint256 uriSeed,
        uint256 manifestSeed,
        uint256 predicateSeed,
        bool withManifest
    ) external countNeverFalls {
        address creator = actors[actorSeed % actors.length];
        bytes memory manifest = _manifest(manifestSeed);
        bytes32 hash = keccak256(manifest);
        uint256 expected = dir.toolCount() + 1;
        vm.prank(creator);
        uint256 toolId = withManifest
            ? dir.registerToolWithManifest(_uri(uriSeed), hash, predicates[predicateSeed % predicates.length], manifest)
            : dir.registerTool(_uri(uriSeed), hash, predicates[predicateSeed % predicates.length]);
        if (toolId != expected || creatorOf[toolId] != address(0)) idOrCountBroken = true;
        registrations++;
        ids.push(toolId);
        creatorOf[toolId] = creator;
        ghostVersion[toolId] = 1;
        ghostHash[toolId][1] = hash;
        ghostURI[toolId] = _uri(uriSeed);
    }

    function update(uint256 idSeed, uint256 uriSeed, uint256 manifestSeed, bool withManifest) external countNeverFalls {
        if (ids.length == 0) return;
        uint256 toolId = _pick(idSeed);
        bytes memory manifest = _manifest(manifestSeed);
        bytes32 hash = keccak256(manifest);
        string memory uri = _uri(uriSeed);
        bool ok;
        bytes memory reason;
        vm.prank(creatorOf[toolId]);
        if (withManifest) {
            try dir.updateToolMetadataWithManifest(toolId, uri, hash, manifest) {
                ok = true;
            } catch (bytes memory r) {
                reason = r;
            }
        } else {
            try dir.updateToolMetadata(toolId, uri, hash) {
                ok = true;
            } catch (bytes memory r) {
                reason = r;
            }
        }
        if (!ok) return _expectDeregisteredRevert(toolId, reason);
        if (deregistered[toolId]) accessControlBroken = true;
        uint64 v = ghostVersion[toolId];
        if (keccak256(bytes(uri)) != keccak256(bytes(ghostURI[toolId])) || hash != ghostHash[toolId][v]) {
            ghostVersion[toolId] = ++v;
            ghostHash[toolId][v] = hash;
            ghostURI[toolId] = uri;
        }
    }

    function setPredicate(uint256 idSeed, uint256 predicateSeed) external countNeverFalls {
        if (ids.length == 0) return;
        uint256 toolId = _pick(idSeed);
        vm.prank(creatorOf[toolId]);
        try dir.setAccessPredicate(toolId, predicates[predicateSeed % predicates.length]) {
            if (deregistered[toolId]) accessControlBroken = true;
        } catch (bytes memory reason) {
            _expectDeregisteredRevert(toolId, reason);
        }
    }

    function deregister(uint256 idSeed) external countNeverFalls {
        if (ids.length == 0) return;
        uint256 toolId = _pick(idSeed);
        vm.prank(creatorOf[toolId]);
        try dir.deregisterTool(toolId) {
            if (deregistered[toolId]) accessControlBroken = true;
            deregistered[toolId] = true;
        } catch (bytes memory reason) {
            _expectDeregisteredRevert(toolId, reason);
        }
    }

    /// A creator tampering with another creator's tool always fails.
    function strangerUpdate(uint256 idSeed, uint256 actorSeed, uint256 uriSeed) external countNeverFalls {
        if (ids.length == 0) return;
        uint256 toolId = _pick(idSeed);
        address stranger = actors[actorSeed % actors.length];
        if (stranger == creatorOf[toolId]) return;
        vm.prank(stranger);
        try dir.updateToolMetadata(toolId, _uri(uriSeed), keccak256("stranger")) {
            accessControlBroken = true;
        } catch (bytes memory reason) {
            bytes memory expected = deregistered[toolId]
                ? abi.encodeWithSelector(IToolRegistry.ToolIsDeregistered.selector, toolId)
                : abi.encodeWithSelector(IToolRegistry.NotToolCreator.selector, toolId, stranger);
            if (keccak256(reason) != keccak256(expected)) accessControlBroken = true;
        }
    }

    function _expectDeregisteredRevert(uint256 toolId, bytes memory reason) internal {
        bytes memory expected = abi.encodeWithSelector(IToolRegistry.ToolIsDeregistered.selector, toolId);
        if (!deregistered[toolId] || keccak256(reason) != keccak256(expected)) accessControlBroken = true;
    }
}
