// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "forge-std/Test.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ToolDirectory, IGotongDirectory, AgentCard} from "../../contracts/ToolDirectory.sol";
import {IToolRegistry, ToolConfig} from "../../contracts/interfaces/IToolRegistry.sol";
import {IAccessPredicate, AccessRequirement, RequirementLogic} from "../../contracts/interfaces/IAccessPredicate.sol";
import {AlwaysDenyPredicate} from "../../contracts/predicates/AlwaysDenyPredicate.sol";

// ---- test predicates ----

/// Grants `allowed` accounts, or anyone passing `data == "open sesame"` for tool `toolId_`.
contract SwitchPredicate is IAccessPredicate, ERC165 {
    mapping(address => bool) public allowed;

    function allow(address account, bool yes) external {
        allowed[account] = yes;
    }

    function hasAccess(uint256 toolId, address account, bytes calldata data) external view returns (bool) {
        return allowed[account] || (toolId == 1 && keccak256(data) == keccak256("open sesame"));
    }

    function name() external pure returns (string memory) {
        return "SwitchPredicate";
    }

    function getRequirements(uint256) external pure returns (AccessRequirement[] memory, RequirementLogic) {
        return (new AccessRequirement[](0), RequirementLogic.AND);
    }

    function supportsInterface(bytes4 id) public view override returns (bool) {
        return id == type(IAccessPredicate).interfaceId || super.supportsInterface(id);
    }
}

/// Answers `hasAccess` with fixed raw bytes and has no `supportsInterface` (no ERC-165).
contract RawPredicate {
    bytes internal answer;

    constructor(bytes memory answer_) {
        answer = answer_;
    }

    fallback() external {
        if (msg.sig != IAccessPredicate.hasAccess.selector) revert();
        bytes memory out = answer;
        assembly {
            return(add(out, 0x20), mload(out))
        }
    }
}

/// `hasAccess` returns true; no ERC-165 at all.
contract NoErc165Predicate {
    function hasAccess(uint256, address, bytes calldata) external pure returns (bool) {
        return true;
    }
}

/// Claims ERC-165 but not IAccessPredicate (a role manager that happens to have `hasAccess`).
contract Erc165NotPredicate is ERC165 {
    function hasAccess(uint256, address, bytes calldata) external pure returns (bool) {
        return true;
    }
}

/// `supportsInterface` answers false for everything, even IERC165: not advertising ERC-165.
contract Erc165AlwaysFalse {
    function supportsInterface(bytes4) external pure returns (bool) {
        return false;
    }

    function hasAccess(uint256, address, bytes calldata) external pure returns (bool) {
        return true;
    }
}

/// Claims IERC165, then burns all gas when asked for IAccessPredicate.
contract Erc165BurnsOnSecondProbe {
    function supportsInterface(bytes4 id) external pure returns (bool) {
        if (id == type(IERC165).interfaceId) return true;
        while (true) {}
        return true;
    }
}

/// Burns all gas on the first ERC-165 probe: treated as not advertising ERC-165.
contract Erc165BurnsOnFirstProbe {
    function supportsInterface(bytes4) external pure returns (bool) {
        while (true) {}
        return true;
    }
}

/// A well-behaved ERC-165 predicate whose `hasAccess` misbehaves in one of several ways.
contract BadPredicate is IAccessPredicate, ERC165 {
    enum Mode {
        Revert,
        BurnGas,
        ReturnBomb
    }

    Mode public immutable mode;

    constructor(Mode mode_) {
        mode = mode_;
    }

    function hasAccess(uint256, address, bytes calldata) external view returns (bool) {
        if (mode == Mode.Revert) revert("predicate broke");
        if (mode == Mode.BurnGas) {
            while (true) {}
        }
        assembly {
            return(0, 50000)
        }
    }

    function name() external pure returns (string memory) {
        return "BadPredicate";
    }

    function getRequirements(uint256) external pure returns (AccessRequirement[] memory, RequirementLogic) {
        return (new AccessRequirement[](0), RequirementLogic.AND);
    }

    function supportsInterface(bytes4 id) public view override returns (bool) {
        return id == type(IAccessPredicate).interfaceId || super.supportsInterface(id);
    }
}

// ---- shared fixtures ----

abstract contract ToolDirectoryFixture is Test {
    ToolDirectory dir;
    address alice = makeAddr("alice");
    address bob = makeAddr("bob");

    // A 60-byte URI and a 1 KiB manifest: the sizes of the gas targets.
    string constant URI = "https://tools.example.com/.well-known/ai-tool/weather-1.json";
    string constant URI2 = "https://tools.example.com/.well-known/ai-tool/weather-2.json";

    function setUp() public virtual {
        dir = new ToolDirectory();
    }

    function manifestOf(uint256 size, bytes1 fill) internal pure returns (bytes memory m) {
        m = new bytes(size);
        for (uint256 i; i < size; i++) {
            m[i] = fill;
        }
    }

    function uriOf(uint256 size) internal pure returns (string memory) {
        return string(manifestOf(size, "u"));
    }

    function register(address creator, address predicate) internal returns (uint256 toolId) {
        vm.prank(creator);
        toolId = dir.registerTool(URI, keccak256("manifest v1"), predicate);
    }
}

contract ToolDirectoryTest is ToolDirectoryFixture {
    bytes32 constant H1 = keccak256("manifest v1");
    bytes32 constant H2 = keccak256("manifest v2");

    // ---- identity ----

    function test_URIIs60Bytes() public pure {
        assertEq(bytes(URI).length, 60);
        assertEq(bytes(URI2).length, 60);
    }

    function test_NameAndVersion() public view {
        assertEq(dir.name(), "gotong ToolDirectory");
        assertEq(dir.version(), "0.1");
        assertEq(dir.toolCount(), 0);
    }

    function test_InterfaceIdsArePinned() public pure {
        assertEq(type(IToolRegistry).interfaceId, bytes4(0xf1dc8075));
        assertEq(type(IAccessPredicate).interfaceId, bytes4(0xbdf9dc18));
        assertEq(type(IERC165).interfaceId, bytes4(0x01ffc9a7));
        assertEq(type(IGotongDirectory).interfaceId, bytes4(0x48845bba));
        // The selector IToolRegistry.hasAccess shares with IAccessPredicate.hasAccess (ERC-8257).
        assertEq(IToolRegistry.hasAccess.selector, bytes4(0xa7e3775b));
        assertEq(IAccessPredicate.hasAccess.selector, bytes4(0xa7e3775b));
    }

    function test_SupportsInterface() public view {
        assertTrue(dir.supportsInterface(type(IToolRegistry).interfaceId));
        assertTrue(dir.supportsInterface(type(IGotongDirectory).interfaceId));
        assertTrue(dir.supportsInterface(type(IERC165).interfaceId));
        assertFalse(dir.supportsInterface(type(IAccessPredicate).interfaceId));
        assertFalse(dir.supportsInterface(0xffffffff));
    }

    // ---- registerTool ----

    function test_RegisterTool() public {
        vm.expectEmit(address(dir));
        emit IToolRegistry.ToolRegistered(1, alice, address(0), URI, H1);
        vm.expectEmit(address(dir));
        emit IGotongDirectory.ToolVersioned(1, 1, H1, bytes32(0));
        vm.prank(alice);
        assertEq(dir.registerTool(URI, H1, address(0)), 1);

        ToolConfig memory c = dir.getToolConfig(1);
        assertEq(c.creator, alice);
        assertEq(c.metadataURI, URI);
        assertEq(c.manifestHash, H1);
        assertEq(c.accessPredicate, address(0));
        assertEq(dir.toolCount(), 1);
        assertEq(dir.toolVersion(1), 1);
        assertEq(dir.manifestHashAt(1, 1), H1);
    }

    function test_RegisterToolIdsAreSequential() public {
        assertEq(register(alice, address(0)), 1);
        assertEq(register(bob, address(0)), 2);
        assertEq(register(alice, address(0)), 3);
        assertEq(dir.toolCount(), 3);
        assertEq(dir.getToolConfig(2).creator, bob);
    }

    function test_RegisterToolWithPredicate() public {
        SwitchPredicate p = new SwitchPredicate();
        vm.expectEmit(address(dir));
        emit IToolRegistry.ToolRegistered(1, alice, address(p), URI, H1);
        register(alice, address(p));
        assertEq(dir.getToolConfig(1).accessPredicate, address(p));
    }

    function test_RevertWhen_RegisterWithEmptyURI() public {
        vm.expectRevert(IToolRegistry.InvalidMetadataURI.selector);
        dir.registerTool("", H1, address(0));
    }

    function test_RegisterAcceptsURIOf2048Bytes() public {
        dir.registerTool(uriOf(2048), H1, address(0));
        assertEq(bytes(dir.getToolConfig(1).metadataURI).length, 2048);
    }

    function test_RevertWhen_RegisterWithURIOver2048Bytes() public {
        vm.expectRevert(IToolRegistry.InvalidMetadataURI.selector);
        dir.registerTool(uriOf(2049), H1, address(0));
        assertEq(dir.toolCount(), 0);
    }

    function test_RevertWhen_RegisterWithZeroHash() public {
        vm.expectRevert(IToolRegistry.InvalidManifestHash.selector);
        dir.registerTool(URI, bytes32(0), address(0));
    }

    // ---- registerToolWithManifest ----

    function test_RegisterToolWithManifest() public {
        bytes memory m = manifestOf(1024, "m");
        bytes32 h = keccak256(m);
        vm.expectEmit(address(dir));
        emit IToolRegistry.ToolRegistered(1, alice, address(0), URI, h);
        vm.expectEmit(address(dir));
        emit IGotongDirectory.ToolVersioned(1, 1, h, bytes32(0));
        vm.expectEmit(address(dir));
        emit IGotongDirectory.ManifestPublished(1, 1, h, m);
        vm.prank(alice);
        assertEq(dir.registerToolWithManifest(URI, h, address(0), m), 1);
        assertEq(dir.getToolConfig(1).manifestHash, h);
    }

    /// The ERC-8257 free-tool test vector: its JCS bytes hash to the pinned manifestHash.
    function test_RegisterToolWithManifestErc8257Vector() public {
        bytes memory m = bytes(
            '{"creatorAddress":"0xabcdefabcdef1234567890abcdefabcdef123456","description":"Returns estimated floor price for any NFT collection.","endpoint":"https://tools.example.com/nft-price-oracle","inputs":{"properties":{"chainId":{"type":"integer"},"collection":{"description":"Contract address","type":"string"}},"required":["collection","chainId"],"type":"object"},"name":"nft-price-oracle","outputs":{"properties":{"floorPriceEth":{"type":"string"},"updatedAt":{"format":"date-time","type":"string"}},"type":"object"},"tags":["nft","pricing","oracle"],"type":"https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1","version":"1.0.0"}'
        );
        assertEq(m.length, 632);
        bytes32 h = 0x786620b1a5d903c2ac4eafe964364292ca4b6ed763a13b29423c03ccca905af0;
        dir.registerToolWithManifest(
            "https://tools.example.com/.well-known/ai-tool/nft-price-oracle.json", h, address(0), m
        );
        assertEq(dir.getToolConfig(1).manifestHash, h);
    }

    function test_RevertWhen_RegisterManifestHashMismatch() public {
        bytes memory m = manifestOf(100, "m");
        vm.expectRevert(abi.encodeWithSelector(IGotongDirectory.ManifestHashMismatch.selector, H1, keccak256(m)));
        dir.registerToolWithManifest(URI, H1, address(0), m);
        assertEq(dir.toolCount(), 0);
    }

    function test_RevertWhen_RegisterEmptyManifest() public {
        vm.expectRevert(abi.encodeWithSelector(IGotongDirectory.InvalidManifestSize.selector, 0));
        dir.registerToolWithManifest(URI, keccak256(""), address(0), "");
    }

    function test_RegisterManifestAt64KiB() public {
        bytes memory m = manifestOf(65_536, "m");
        dir.registerToolWithManifest(URI, keccak256(m), address(0), m);
        assertEq(dir.toolCount(), 1);
    }

    function test_RevertWhen_RegisterManifestOver64KiB() public {
        bytes memory m = manifestOf(65_537, "m");
        vm.expectRevert(abi.encodeWithSelector(IGotongDirectory.InvalidManifestSize.selector, 65_537));
        dir.registerToolWithManifest(URI, keccak256(m), address(0), m);
    }

    function test_RevertWhen_RegisterWithManifestAndZeroHash() public {
        // The ERC's own checks come first.
        vm.expectRevert(IToolRegistry.InvalidManifestHash.selector);
        dir.registerToolWithManifest(URI, bytes32(0), address(0), "x");
    }

    // ---- updateToolMetadata and the version lineage ----

    function test_UpdateToolMetadata() public {
        register(alice, address(0));
        vm.expectEmit(address(dir));
        emit IToolRegistry.ToolMetadataUpdated(1, URI2, H2);
        vm.expectEmit(address(dir));
        emit IGotongDirectory.ToolVersioned(1, 2, H2, H1);
        vm.prank(alice);
        dir.updateToolMetadata(1, URI2, H2);

        ToolConfig memory c = dir.getToolConfig(1);
        assertEq(c.metadataURI, URI2);
        assertEq(c.manifestHash, H2);
        assertEq(c.creator, alice);
        assertEq(dir.toolVersion(1), 2);
        assertEq(dir.manifestHashAt(1, 1), H1);
        assertEq(dir.manifestHashAt(1, 2), H2);
    }

    function test_UpdateOnlyURIBumpsVersion() public {
        register(alice, address(0));
        vm.expectEmit(address(dir));
        emit IGotongDirectory.ToolVersioned(1, 2, H1, H1);
        vm.prank(alice);
        dir.updateToolMetadata(1, URI2, H1);
        assertEq(dir.toolVersion(1), 2);
        assertEq(dir.manifestHashAt(1, 2), H1);
        assertEq(dir.getToolConfig(1).metadataURI, URI2);
    }

    function test_UpdateOnlyHashKeepsURI() public {
        register(alice, address(0));
        vm.prank(alice);
        dir.updateToolMetadata(1, URI, H2);
        assertEq(dir.getToolConfig(1).metadataURI, URI);
        assertEq(dir.getToolConfig(1).manifestHash, H2);
        assertEq(dir.toolVersion(1), 2);
    }

    function test_UpdateToShorterAndLongerURI() public {
        register(alice, address(0));
        vm.startPrank(alice);
        dir.updateToolMetadata(1, "ipfs://x", H2);
        assertEq(dir.getToolConfig(1).metadataURI, "ipfs://x");
        dir.updateToolMetadata(1, uriOf(300), H1);
        assertEq(dir.getToolConfig(1).metadataURI, uriOf(300));
        vm.stopPrank();
        assertEq(dir.toolVersion(1), 3);
        assertEq(dir.manifestHashAt(1, 3), H1);
    }

    function test_UpdateIdempotentIsNoOp() public {
        register(alice, address(0));
        vm.recordLogs();
        vm.prank(alice);
        dir.updateToolMetadata(1, URI, H1);
        assertEq(vm.getRecordedLogs().length, 0);
        assertEq(dir.toolVersion(1), 1);
    }

    function test_RevertWhen_UpdateByNonCreator() public {
        register(alice, address(0));
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.NotToolCreator.selector, 1, bob));
        vm.prank(bob);
        dir.updateToolMetadata(1, URI2, H2);
    }

    function test_RevertWhen_UpdateUnknownTool() public {
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.ToolNotFound.selector, 1));
        dir.updateToolMetadata(1, URI2, H2);
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.ToolNotFound.selector, 0));
        dir.updateToolMetadata(0, URI2, H2);
    }

    function test_RevertWhen_UpdateWithInvalidMetadata() public {
        register(alice, address(0));
        vm.startPrank(alice);
        vm.expectRevert(IToolRegistry.InvalidMetadataURI.selector);
        dir.updateToolMetadata(1, "", H2);
        vm.expectRevert(IToolRegistry.InvalidMetadataURI.selector);
        dir.updateToolMetadata(1, uriOf(2049), H2);
        vm.expectRevert(IToolRegistry.InvalidManifestHash.selector);
        dir.updateToolMetadata(1, URI2, bytes32(0));
        vm.stopPrank();
    }

    function test_RevertWhen_ManifestHashAtUnknownVersion() public {
        register(alice, address(0));
        vm.expectRevert(abi.encodeWithSelector(IGotongDirectory.VersionNotFound.selector, 1, 0));
        dir.manifestHashAt(1, 0);
        vm.expectRevert(abi.encodeWithSelector(IGotongDirectory.VersionNotFound.selector, 1, 2));
        dir.manifestHashAt(1, 2);
    }

    // ---- updateToolMetadataWithManifest ----

    function test_UpdateToolMetadataWithManifest() public {
        register(alice, address(0));
        bytes memory m = manifestOf(1024, "n");
        bytes32 h = keccak256(m);
        vm.expectEmit(address(dir));
        emit IToolRegistry.ToolMetadataUpdated(1, URI2, h);
        vm.expectEmit(address(dir));
        emit IGotongDirectory.ToolVersioned(1, 2, h, H1);
        vm.expectEmit(address(dir));
        emit IGotongDirectory.ManifestPublished(1, 2, h, m);
        vm.prank(alice);
        dir.updateToolMetadataWithManifest(1, URI2, h, m);
        assertEq(dir.toolVersion(1), 2);
        assertEq(dir.getToolConfig(1).manifestHash, h);
    }

    /// Same URI and hash: no change and no ERC event, but the bytes are published for the
    /// current version (a tool registered with plain `registerTool` can publish them later).
    function test_UpdateWithManifestIdempotentPublishesCurrentVersion() public {
        bytes memory m = manifestOf(200, "m");
        vm.prank(alice);
        dir.registerTool(URI, keccak256(m), address(0));

        vm.recordLogs();
        vm.prank(alice);
        dir.updateToolMetadataWithManifest(1, URI, keccak256(m), m);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1);
        assertEq(logs[0].topics[0], IGotongDirectory.ManifestPublished.selector);
        assertEq(logs[0].topics[1], bytes32(uint256(1)));
        assertEq(logs[0].topics[2], bytes32(uint256(1)));
        assertEq(dir.toolVersion(1), 1);
    }

    function test_RevertWhen_UpdateWithManifestMismatch() public {
        register(alice, address(0));
        vm.expectRevert(abi.encodeWithSelector(IGotongDirectory.ManifestHashMismatch.selector, H2, keccak256("x")));
        vm.prank(alice);
        dir.updateToolMetadataWithManifest(1, URI2, H2, "x");
        assertEq(dir.toolVersion(1), 1);
    }

    function test_RevertWhen_UpdateWithManifestTooLarge() public {
        register(alice, address(0));
        bytes memory m = manifestOf(65_537, "m");
        vm.expectRevert(abi.encodeWithSelector(IGotongDirectory.InvalidManifestSize.selector, 65_537));
        vm.prank(alice);
        dir.updateToolMetadataWithManifest(1, URI2, keccak256(m), m);
    }

    function test_RevertWhen_UpdateWithManifestByNonCreator() public {
        register(alice, address(0));
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.NotToolCreator.selector, 1, bob));
        vm.prank(bob);
        dir.updateToolMetadataWithManifest(1, URI2, keccak256("x"), "x");
    }

    // ---- setAccessPredicate ----

    function test_SetAccessPredicate() public {
        register(alice, address(0));
        SwitchPredicate p = new SwitchPredicate();
        vm.expectEmit(address(dir));
        emit IToolRegistry.AccessPredicateUpdated(1, address(p));
        vm.prank(alice);
        dir.setAccessPredicate(1, address(p));
        assertEq(dir.getToolConfig(1).accessPredicate, address(p));

        vm.expectEmit(address(dir));
        emit IToolRegistry.AccessPredicateUpdated(1, address(0));
        vm.prank(alice);
        dir.setAccessPredicate(1, address(0));
        assertEq(dir.getToolConfig(1).accessPredicate, address(0));
        // The predicate is not part of the version lineage.
        assertEq(dir.toolVersion(1), 1);
    }

    function test_SetAccessPredicateIdempotentIsNoOp() public {
        SwitchPredicate p = new SwitchPredicate();
        register(alice, address(p));
        register(alice, address(0));
        vm.recordLogs();
        vm.startPrank(alice);
        dir.setAccessPredicate(1, address(p));
        dir.setAccessPredicate(2, address(0));
        vm.stopPrank();
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_RevertWhen_SetAccessPredicateByNonCreator() public {
        register(alice, address(0));
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.NotToolCreator.selector, 1, bob));
        vm.prank(bob);
        dir.setAccessPredicate(1, makeAddr("gate"));
    }

    function test_RevertWhen_SetAccessPredicateUnknownTool() public {
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.ToolNotFound.selector, 7));
        dir.setAccessPredicate(7, address(0));
    }

    function test_PauseAndResumeWithAlwaysDeny() public {
        SwitchPredicate p = new SwitchPredicate();
        p.allow(bob, true);
        register(alice, address(p));
        AlwaysDenyPredicate deny = new AlwaysDenyPredicate();

        vm.prank(alice);
        dir.setAccessPredicate(1, address(deny));
        (bool ok, bool granted) = dir.tryHasAccess(1, bob, "");
        assertTrue(ok);
        assertFalse(granted);

        vm.prank(alice);
        dir.setAccessPredicate(1, address(p));
        assertTrue(dir.hasAccess(1, bob, ""));
    }

    // ---- ERC-165 validation ladder (registerTool and setAccessPredicate) ----

    function assertAccepted(address predicate) internal {
        uint256 id = register(alice, predicate);
        assertEq(dir.getToolConfig(id).accessPredicate, predicate);
        id = register(alice, address(0));
        vm.prank(alice);
        dir.setAccessPredicate(id, predicate);
        assertEq(dir.getToolConfig(id).accessPredicate, predicate);
    }

    function assertRejected(address predicate) internal {
        uint256 count = dir.toolCount();
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.InvalidAccessPredicate.selector, predicate));
        vm.prank(alice);
        dir.registerTool(URI, H1, predicate);
        assertEq(dir.toolCount(), count);

        uint256 id = register(alice, address(0));
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.InvalidAccessPredicate.selector, predicate));
        vm.prank(alice);
        dir.setAccessPredicate(id, predicate);
        assertEq(dir.getToolConfig(id).accessPredicate, address(0));
    }

    function test_LadderAcceptsPredicate() public {
        assertAccepted(address(new SwitchPredicate()));
        assertAccepted(address(new AlwaysDenyPredicate()));
    }

    function test_LadderAcceptsCodelessAddress() public {
        assertAccepted(makeAddr("eoa"));
    }

    function test_LadderAcceptsContractWithoutErc165() public {
        assertAccepted(address(new NoErc165Predicate()));
        assertAccepted(address(new RawPredicate(abi.encode(true))));
    }

    function test_LadderAcceptsContractDenyingErc165() public {
        assertAccepted(address(new Erc165AlwaysFalse()));
    }

    function test_LadderAcceptsContractBurningGasOnFirstProbe() public {
        assertAccepted(address(new Erc165BurnsOnFirstProbe()));
    }

    function test_LadderRejectsErc165ContractWithoutIAccessPredicate() public {
        assertRejected(address(new Erc165NotPredicate()));
    }

    function test_LadderRejectsWhenSecondProbeBurnsGas() public {
        assertRejected(address(new Erc165BurnsOnSecondProbe()));
    }

    function test_LadderRejectsTheRegistryItself() public {
        assertRejected(address(dir));
        assertRejected(address(new ToolDirectory()));
    }

    // ---- hasAccess / tryHasAccess ----

    function assertAccess(uint256 toolId, address account, bytes memory data, bool ok, bool granted) internal view {
        (bool gotOk, bool gotGranted) = dir.tryHasAccess(toolId, account, data);
        assertEq(gotOk, ok, "ok");
        assertEq(gotGranted, granted, "granted");
        assertEq(dir.hasAccess(toolId, account, data), ok && granted, "hasAccess");
    }

    function test_OpenAccessGrantsEveryone() public {
        register(alice, address(0));
        assertAccess(1, bob, "", true, true);
        assertAccess(1, address(0), "anything", true, true);
    }

    function test_PredicateGrantsAndDenies() public {
        SwitchPredicate p = new SwitchPredicate();
        register(alice, address(p));
        assertAccess(1, bob, "", true, false);
        p.allow(bob, true);
        assertAccess(1, bob, "", true, true);
        assertAccess(1, alice, "", true, false);
    }

    function test_PredicateReceivesToolIdAccountAndData() public {
        SwitchPredicate p = new SwitchPredicate();
        register(alice, address(p));
        register(alice, address(p));
        vm.expectCall(address(p), abi.encodeCall(IAccessPredicate.hasAccess, (1, bob, bytes("open sesame"))));
        assertAccess(1, bob, "open sesame", true, true);
        assertAccess(2, bob, "open sesame", true, false);
    }

    function test_MalfunctionWhen_PredicateHasNoCode() public {
        register(alice, makeAddr("not yet deployed"));
        assertAccess(1, bob, "", false, false);
    }

    function test_CanonicalRawAnswers() public {
        register(alice, address(new RawPredicate(abi.encode(uint256(1)))));
        register(alice, address(new RawPredicate(abi.encode(uint256(0)))));
        assertAccess(1, bob, "", true, true);
        assertAccess(2, bob, "", true, false);
    }

    function test_MalfunctionWhen_NonCanonicalBool() public {
        register(alice, address(new RawPredicate(abi.encode(uint256(2)))));
        register(alice, address(new RawPredicate(abi.encode(type(uint256).max))));
        register(alice, address(new RawPredicate(abi.encode(true, true))));
        register(alice, address(new RawPredicate(hex"01")));
        register(alice, address(new RawPredicate("")));
        for (uint256 id = 1; id <= 5; id++) {
            assertAccess(id, bob, "", false, false);
        }
    }

    function test_MalfunctionWhen_PredicateReverts() public {
        register(alice, address(new BadPredicate(BadPredicate.Mode.Revert)));
        assertAccess(1, bob, "", false, false);
    }

    function test_MalfunctionWhen_PredicateBurnsGas() public {
        register(alice, address(new BadPredicate(BadPredicate.Mode.BurnGas)));
        uint256 before = gasleft();
        (bool ok, bool granted) = dir.tryHasAccess(1, bob, "");
        uint256 used = before - gasleft();
        assertFalse(ok);
        assertFalse(granted);
        // The predicate got PREDICATE_GAS and no more.
        assertGt(used, dir.PREDICATE_GAS());
        assertLt(used, dir.PREDICATE_GAS() + 20_000);
    }

    function test_MalfunctionWhen_PredicateReturnsHugeData() public {
        register(alice, address(new BadPredicate(BadPredicate.Mode.ReturnBomb)));
        assertAccess(1, bob, "", false, false);
    }

    function test_RevertWhen_AccessOfUnknownTool() public {
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.ToolNotFound.selector, 1));
        dir.hasAccess(1, bob, "");
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.ToolNotFound.selector, 0));
        dir.tryHasAccess(0, bob, "");
    }

    // ---- views of unknown tools ----

    function test_RevertWhen_ViewsOfUnknownTool() public {
        register(alice, address(0));
        uint256[2] memory ids = [uint256(0), 2];
        for (uint256 i; i < 2; i++) {
            bytes memory err = abi.encodeWithSelector(IToolRegistry.ToolNotFound.selector, ids[i]);
            vm.expectRevert(err);
            dir.getToolConfig(ids[i]);
            vm.expectRevert(err);
            dir.toolVersion(ids[i]);
            vm.expectRevert(err);
            dir.manifestHashAt(ids[i], 1);
            vm.expectRevert(err);
            dir.deregisterTool(ids[i]);
        }
    }

    // ---- deregisterTool ----

    function test_DeregisterTool() public {
        register(alice, address(0));
        register(alice, address(0));
        vm.expectEmit(address(dir));
        emit IToolRegistry.ToolDeregistered(1);
        vm.prank(alice);
        dir.deregisterTool(1);

        assertEq(dir.toolCount(), 2);
        assertEq(dir.getToolConfig(2).creator, alice);
        // Ids are never reused.
        assertEq(register(bob, address(0)), 3);
    }

    function test_RevertWhen_AnyOperationOnDeregisteredTool() public {
        SwitchPredicate p = new SwitchPredicate();
        register(alice, address(p));
        vm.prank(alice);
        dir.deregisterTool(1);

        bytes memory err = abi.encodeWithSelector(IToolRegistry.ToolIsDeregistered.selector, 1);
        vm.expectRevert(err);
        dir.getToolConfig(1);
        vm.expectRevert(err);
        dir.hasAccess(1, bob, "");
        vm.expectRevert(err);
        dir.tryHasAccess(1, bob, "");
        vm.expectRevert(err);
        dir.toolVersion(1);
        vm.expectRevert(err);
        dir.manifestHashAt(1, 1);

        vm.startPrank(alice);
        vm.expectRevert(err);
        dir.updateToolMetadata(1, URI2, H2);
        vm.expectRevert(err);
        dir.updateToolMetadataWithManifest(1, URI2, keccak256("x"), "x");
        vm.expectRevert(err);
        dir.setAccessPredicate(1, address(0));
        vm.expectRevert(err);
        dir.deregisterTool(1);
        vm.stopPrank();

        // Others get the same answer, not NotToolCreator.
        vm.expectRevert(err);
        vm.prank(bob);
        dir.deregisterTool(1);
    }

    function test_RevertWhen_DeregisterByNonCreator() public {
        register(alice, address(0));
        vm.expectRevert(abi.encodeWithSelector(IToolRegistry.NotToolCreator.selector, 1, bob));
        vm.prank(bob);
        dir.deregisterTool(1);
        assertEq(dir.getToolConfig(1).creator, alice);
    }

    // ---- agent cards ----

    function test_SetAgentCard() public {
        bytes32 h = keccak256("card");
        vm.expectEmit(address(dir));
        emit IGotongDirectory.AgentCardSet(alice, "https://alice.example/agent", "Alice", h);
        vm.prank(alice);
        dir.setAgentCard("https://alice.example/agent", "Alice", h);

        AgentCard memory card = dir.agentCard(alice);
        assertEq(card.endpoint, "https://alice.example/agent");
        assertEq(card.name, "Alice");
        assertEq(card.cardHash, h);
        assertEq(dir.agentCard(bob).cardHash, bytes32(0));
    }

    function test_SetAgentCardOverwrites() public {
        vm.startPrank(alice);
        dir.setAgentCard(uriOf(300), "Alice", keccak256("1"));
        dir.setAgentCard("https://a.example", "Alice 2", keccak256("2"));
        vm.stopPrank();
        AgentCard memory card = dir.agentCard(alice);
        assertEq(card.endpoint, "https://a.example");
        assertEq(card.name, "Alice 2");
        assertEq(card.cardHash, keccak256("2"));
    }

    function test_ClearAgentCard() public {
        vm.prank(alice);
        dir.setAgentCard("https://a.example", "Alice", keccak256("1"));
        vm.expectEmit(address(dir));
        emit IGotongDirectory.AgentCardCleared(alice);
        vm.prank(alice);
        dir.clearAgentCard();
        AgentCard memory card = dir.agentCard(alice);
        assertEq(card.endpoint, "");
        assertEq(card.name, "");
        assertEq(card.cardHash, bytes32(0));
    }

    function test_ClearAgentCardWithoutCardIsNoOp() public {
        vm.recordLogs();
        vm.prank(bob);
        dir.clearAgentCard();
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_AgentCardBounds() public {
        vm.startPrank(alice);
        dir.setAgentCard(uriOf(2048), string(manifestOf(128, "n")), keccak256("1"));
        vm.expectRevert(IGotongDirectory.InvalidAgentEndpoint.selector);
        dir.setAgentCard("", "Alice", keccak256("1"));
        vm.expectRevert(IGotongDirectory.InvalidAgentEndpoint.selector);
        dir.setAgentCard(uriOf(2049), "Alice", keccak256("1"));
        vm.expectRevert(IGotongDirectory.InvalidAgentName.selector);
        dir.setAgentCard("https://a.example", "", keccak256("1"));
        vm.expectRevert(IGotongDirectory.InvalidAgentName.selector);
        dir.setAgentCard("https://a.example", string(manifestOf(129, "n")), keccak256("1"));
        vm.expectRevert(IGotongDirectory.InvalidCardHash.selector);
        dir.setAgentCard("https://a.example", "Alice", bytes32(0));
        vm.stopPrank();
    }

    // ---- fuzz ----

    function testFuzz_OnlyCreatorChangesTool(address caller, address predicate) public {
        vm.assume(caller != alice);
        vm.assume(predicate.code.length == 0);
        register(alice, address(0));
        bytes memory err = abi.encodeWithSelector(IToolRegistry.NotToolCreator.selector, 1, caller);

        vm.startPrank(caller);
        vm.expectRevert(err);
        dir.updateToolMetadata(1, URI2, H2);
        vm.expectRevert(err);
        dir.updateToolMetadataWithManifest(1, URI2, keccak256("x"), "x");
        vm.expectRevert(err);
        dir.setAccessPredicate(1, predicate);
        vm.expectRevert(err);
        dir.deregisterTool(1);
        vm.stopPrank();

        ToolConfig memory c = dir.getToolConfig(1);
        assertEq(c.creator, alice);
        assertEq(c.metadataURI, URI);
        assertEq(c.manifestHash, H1);
        assertEq(c.accessPredicate, address(0));
        assertEq(dir.toolVersion(1), 1);
    }

    function testFuzz_URILengthCap(uint256 length, bool nearCap) public {
        length = nearCap ? bound(length, 2040, 2056) : bound(length, 0, 4096);
        string memory uri = uriOf(length);
        bool valid = length >= 1 && length <= 2048;

        if (!valid) vm.expectRevert(IToolRegistry.InvalidMetadataURI.selector);
        vm.prank(alice);
        dir.registerTool(uri, H1, address(0));
        assertEq(dir.toolCount(), valid ? 1 : 0);

        register(alice, address(0));
        uint256 id = dir.toolCount();
        if (!valid) vm.expectRevert(IToolRegistry.InvalidMetadataURI.selector);
        vm.prank(alice);
        dir.updateToolMetadata(id, uri, H2);
        assertEq(dir.toolVersion(id), valid ? 2 : 1);
    }

    function testFuzz_ManifestMustHashToCommitment(bytes calldata manifest, bytes32 hash, bool honest) public {
        vm.assume(manifest.length > 0);
        if (honest) hash = keccak256(manifest);
        vm.assume(hash != bytes32(0));
        if (hash != keccak256(manifest)) {
            vm.expectRevert(
                abi.encodeWithSelector(IGotongDirectory.ManifestHashMismatch.selector, hash, keccak256(manifest))
            );
        }
        dir.registerToolWithManifest(URI, hash, address(0), manifest);
    }

    function testFuzz_TryHasAccessDecodesStrictly(bytes memory answer) public {
        register(alice, address(new RawPredicate(answer)));
        (bool ok, bool granted) = dir.tryHasAccess(1, bob, "");
        uint256 word = answer.length == 32 ? abi.decode(answer, (uint256)) : 2;
        bool canonical = answer.length == 32 && word < 2;
        assertEq(ok, canonical);
        assertEq(granted, canonical && word == 1);
        assertFalse(!ok && granted);
    }

    function testFuzz_TryHasAccessWordValues(uint256 word) public {
        register(alice, address(new RawPredicate(abi.encode(word))));
        (bool ok, bool granted) = dir.tryHasAccess(1, bob, "");
        assertEq(ok, word < 2);
        assertEq(granted, word == 1);
    }
}

/// Gas at the target sizes: a 60-byte URI and a 1 KiB manifest. Budgets are on the call's own
/// execution gas, not the 21,000 + calldata a transaction adds on top. `--gas-report` turns on
/// `--isolate`, where each top-level call is a transaction and its figures include both; the
/// budgets subtract them there, so they hold either way.
contract ToolDirectoryGasTest is ToolDirectoryFixture {
    bytes manifest;
    bytes manifest2;
    SwitchPredicate predicate;
    SwitchPredicate predicate2;

    function setUp() public override {
        super.setUp();
        manifest = manifestOf(1024, "m");
        manifest2 = manifestOf(1024, "n");
        predicate = new SwitchPredicate();
        predicate.allow(bob, true);
        predicate2 = new SwitchPredicate();
        // A live directory: the counter is already non-zero.
        vm.prank(bob);
        dir.registerTool(URI, keccak256("seed"), address(0));
    }

    /// Execution gas of the last call, whose calldata was `callData`.
    function assertGasAtMost(string memory label, uint256 budget, bytes memory callData) internal {
        uint256 used = vm.lastCallGas().gasTotalUsed;
        // A no-op that costs well under 21,000 unless it ran as a transaction of its own.
        dir.clearAgentCard();
        if (vm.lastCallGas().gasTotalUsed >= 21_000) {
            emit log_named_uint(string.concat(label, " (transaction)"), used);
            used -= 21_000;
            for (uint256 i; i < callData.length; i++) {
                used -= callData[i] == 0 ? 4 : 16;
            }
        }
        emit log_named_uint(label, used);
        assertLe(used, budget, label);
    }

    function test_Gas_RegisterTool() public {
        bytes32 h = keccak256(manifest);
        vm.prank(alice);
        dir.registerTool(URI, h, address(0));
        assertGasAtMost("registerTool", 200_000, abi.encodeCall(dir.registerTool, (URI, h, address(0))));
    }

    function test_Gas_RegisterToolWithManifest() public {
        bytes memory m = manifest;
        bytes32 h = keccak256(m);
        vm.prank(alice);
        dir.registerToolWithManifest(URI, h, address(0), m);
        assertGasAtMost(
            "registerToolWithManifest", 200_000, abi.encodeCall(dir.registerToolWithManifest, (URI, h, address(0), m))
        );
    }

    function test_Gas_RegisterToolWithManifestAndPredicate() public {
        bytes memory m = manifest;
        bytes32 h = keccak256(m);
        vm.prank(alice);
        dir.registerToolWithManifest(URI, h, address(predicate), m);
        assertGasAtMost(
            "registerToolWithManifest + predicate",
            200_000,
            abi.encodeCall(dir.registerToolWithManifest, (URI, h, address(predicate), m))
        );
    }

    function test_Gas_UpdateToolMetadata() public {
        bytes32 h = keccak256(manifest2);
        vm.prank(bob);
        dir.updateToolMetadata(1, URI2, h);
        assertGasAtMost("updateToolMetadata", 90_000, abi.encodeCall(dir.updateToolMetadata, (1, URI2, h)));
    }

    function test_Gas_UpdateToolMetadataWithManifest() public {
        bytes memory m = manifest2;
        bytes32 h = keccak256(m);
        vm.prank(bob);
        dir.updateToolMetadataWithManifest(1, URI2, h, m);
        assertGasAtMost(
            "updateToolMetadataWithManifest",
            90_000,
            abi.encodeCall(dir.updateToolMetadataWithManifest, (1, URI2, h, m))
        );
    }

    function test_Gas_SetAccessPredicate() public {
        vm.prank(bob);
        dir.setAccessPredicate(1, address(predicate));
        assertGasAtMost(
            "setAccessPredicate (open -> gated)",
            40_000,
            abi.encodeCall(dir.setAccessPredicate, (1, address(predicate)))
        );
        vm.prank(bob);
        dir.setAccessPredicate(1, address(predicate2));
        assertGasAtMost(
            "setAccessPredicate (gated -> gated)",
            40_000,
            abi.encodeCall(dir.setAccessPredicate, (1, address(predicate2)))
        );
    }

    function test_Gas_DeregisterTool() public {
        vm.prank(bob);
        dir.deregisterTool(1);
        assertGasAtMost("deregisterTool", 40_000, abi.encodeCall(dir.deregisterTool, (1)));
    }

    function test_Gas_HasAccess() public {
        vm.prank(bob);
        dir.setAccessPredicate(1, address(predicate));
        assertTrue(dir.hasAccess(1, bob, ""));
        // A view: never isolated, so this is always execution gas.
        uint256 used = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("hasAccess", used);
        assertLe(used, 30_000);
    }

    function test_Gas_SetAgentCard() public {
        vm.prank(alice);
        dir.setAgentCard("https://alice.example/.well-known/agent-card.json", "Alice", keccak256("card"));
        assertGasAtMost(
            "setAgentCard",
            150_000,
            abi.encodeCall(
                dir.setAgentCard, ("https://alice.example/.well-known/agent-card.json", "Alice", keccak256("card"))
            )
        );
    }
}
