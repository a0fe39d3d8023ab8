// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IIdentityRegistry} from "../../contracts/interfaces/IIdentityRegistry.sol";
import {OwnerWallet, WrongMagicWallet} from "./utils/Authorizations.sol";
import {Erc8004Fixture} from "./utils/Erc8004Fixture.sol";

contract IdentityRegistryTest is Erc8004Fixture {
    string constant URI = "https://agent.example/.well-known/agent-registration.json";

    address alice;
    uint256 aliceKey;
    address hotWallet;
    uint256 hotKey;
    address bob = makeAddr("bob");
    address operator = makeAddr("operator");
    address mallory;
    uint256 malloryKey;

    function setUp() public {
        vm.warp(1_700_000_000);
        (alice, aliceKey) = makeAddrAndKey("alice");
        (hotWallet, hotKey) = makeAddrAndKey("hot wallet");
        (mallory, malloryKey) = makeAddrAndKey("mallory");
        deployRegistries();
    }

    function entries() internal pure returns (IIdentityRegistry.MetadataEntry[] memory list) {
        list = new IIdentityRegistry.MetadataEntry[](2);
        list[0] = IIdentityRegistry.MetadataEntry("ens", bytes("alice.eth"));
        list[1] = IIdentityRegistry.MetadataEntry("role", hex"0102");
    }

    function walletProof(uint256 agentId, uint256 key, address owner, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        return signDigest(key, walletDigest(agentId, vm.addr(key), owner, deadline));
    }

    // ---- registration ----

    function test_RegisterWithUriAndMetadataEmitsInTheErcsOrder() public {
        vm.recordLogs();
        vm.prank(alice);
        uint256 agentId = identity.register(URI, entries());
        assertEq(agentId, 1);

        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 6);
        assertEq(logs[0].topics[0], IERC721.Transfer.selector);
        assertEq(logs[1].topics[0], keccak256("MetadataUpdate(uint256)")); // ERC-4906, for NFT apps
        assertEq(logs[2].topics[0], IIdentityRegistry.Registered.selector);
        assertEq(logs[2].topics[1], bytes32(agentId));
        assertEq(logs[2].topics[2], bytes32(uint256(uint160(alice))));
        assertEq(abi.decode(logs[2].data, (string)), URI);
        _assertMetadataSet(logs[3], agentId, "agentWallet", abi.encodePacked(alice));
        _assertMetadataSet(logs[4], agentId, "ens", bytes("alice.eth"));
        _assertMetadataSet(logs[5], agentId, "role", hex"0102");

        assertEq(identity.ownerOf(agentId), alice);
        assertEq(identity.tokenURI(agentId), URI);
        assertEq(identity.getAgentWallet(agentId), alice);
        assertEq(identity.getMetadata(agentId, "agentWallet"), abi.encodePacked(alice));
        assertEq(identity.getMetadata(agentId, "ens"), bytes("alice.eth"));
        assertEq(identity.getMetadata(agentId, "role"), hex"0102");
        assertEq(identity.getMetadata(agentId, "unset"), "");
    }

    function _assertMetadataSet(Vm.Log memory log, uint256 agentId, string memory key, bytes memory value)
        internal
        pure
    {
        assertEq(log.topics[0], IIdentityRegistry.MetadataSet.selector);
        assertEq(log.topics[1], bytes32(agentId));
        assertEq(log.topics[2], keccak256(bytes(key)));
        (string memory metadataKey, bytes memory metadataValue) = abi.decode(log.data, (string, bytes));
        assertEq(metadataKey, key);
        assertEq(metadataValue, value);
    }

    function test_RegisterWithUriAndBareRegisterNumberFromOne() public {
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.Registered(1, URI, alice);
        assertEq(registerAs(alice, URI), 1);

        vm.expectEmit(address(identity));
        emit IIdentityRegistry.Registered(2, "", bob);
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.MetadataSet(2, "agentWallet", "agentWallet", abi.encodePacked(bob));
        vm.prank(bob);
        assertEq(identity.register(), 2);
        assertEq(identity.tokenURI(2), "");
        assertEq(identity.getAgentWallet(2), bob);
        assertEq(identity.balanceOf(alice), 1);
        assertEq(identity.name(), "AgentIdentity");
        assertEq(identity.symbol(), "AGENT");
    }

    function test_RegisterRefusesTheReservedWalletKey() public {
        IIdentityRegistry.MetadataEntry[] memory list = entries();
        list[1] = IIdentityRegistry.MetadataEntry("agentWallet", abi.encodePacked(mallory));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.ReservedMetadataKey.selector, "agentWallet"));
        vm.prank(alice);
        identity.register(URI, list);
    }

    // ---- URI and metadata ----

    function test_SetAgentUriByOwnerOperatorOrApproved() public {
        uint256 agentId = registerAs(alice, URI);
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.URIUpdated(agentId, "ipfs://new", alice);
        vm.prank(alice);
        identity.setAgentURI(agentId, "ipfs://new");
        assertEq(identity.tokenURI(agentId), "ipfs://new");

        vm.prank(alice);
        identity.setApprovalForAll(operator, true);
        vm.prank(operator);
        identity.setAgentURI(agentId, "ipfs://by-operator");
        vm.prank(alice);
        identity.approve(bob, agentId);
        vm.prank(bob);
        identity.setAgentURI(agentId, "data:application/json;base64,e30=");
        assertEq(identity.tokenURI(agentId), "data:application/json;base64,e30=");
    }

    function test_SetAgentUriRefusesOthersAndUnknownAgents() public {
        uint256 agentId = registerAs(alice, URI);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotAgentOwnerOrOperator.selector, agentId, mallory));
        vm.prank(mallory);
        identity.setAgentURI(agentId, "ipfs://stolen");
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        vm.prank(alice);
        identity.setAgentURI(9, "ipfs://nothing");
    }

    function test_SetMetadata() public {
        uint256 agentId = registerAs(alice, URI);
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.MetadataSet(agentId, "price", "price", hex"2a");
        vm.prank(alice);
        identity.setMetadata(agentId, "price", hex"2a");
        assertEq(identity.getMetadata(agentId, "price"), hex"2a");

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.ReservedMetadataKey.selector, "agentWallet"));
        vm.prank(alice);
        identity.setMetadata(agentId, "agentWallet", abi.encodePacked(mallory));
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotAgentOwnerOrOperator.selector, agentId, mallory));
        vm.prank(mallory);
        identity.setMetadata(agentId, "price", hex"00");
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        identity.setMetadata(9, "price", hex"00");
        assertEq(identity.getAgentWallet(agentId), alice);
    }

    // ---- the agent wallet ----

    function test_SetAgentWalletWithTheWalletsProof() public {
        uint256 agentId = registerAs(alice, URI);
        uint256 deadline = block.timestamp + 5 minutes;
        bytes memory proof = walletProof(agentId, hotKey, alice, deadline);
        vm.expectEmit(address(identity));
        emit IIdentityRegistry.MetadataSet(agentId, "agentWallet", "agentWallet", abi.encodePacked(hotWallet));
        vm.prank(alice);
        identity.setAgentWallet(agentId, hotWallet, deadline, proof);
        assertEq(identity.getAgentWallet(agentId), hotWallet);
        assertEq(identity.getMetadata(agentId, "agentWallet"), abi.encodePacked(hotWallet));
    }

    function test_AnOperatorSetsTheWalletWithAProofNamingTheOwner() public {
        uint256 agentId = registerAs(alice, URI);
        vm.prank(alice);
        identity.setApprovalForAll(operator, true);
        uint256 deadline = block.timestamp;
        bytes memory namingOperator = walletProof(agentId, hotKey, operator, deadline);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidWalletSignature.selector, hotWallet));
        vm.prank(operator);
        identity.setAgentWallet(agentId, hotWallet, deadline, namingOperator);

        vm.prank(operator);
        identity.setAgentWallet(agentId, hotWallet, deadline, walletProof(agentId, hotKey, alice, deadline));
        assertEq(identity.getAgentWallet(agentId), hotWallet);
    }

    function test_SetAgentWalletFromAnErc1271Wallet() public {
        uint256 agentId = registerAs(alice, URI);
        address wallet = address(new OwnerWallet(hotWallet));
        uint256 deadline = block.timestamp + 60;
        bytes32 digest = walletDigest(agentId, wallet, alice, deadline);
        // Wrapped, as a smart wallet wraps its owner's signature.
        bytes memory wrapped = abi.encode(uint256(0), signDigest(hotKey, digest));
        vm.prank(alice);
        identity.setAgentWallet(agentId, wallet, deadline, wrapped);
        assertEq(identity.getAgentWallet(agentId), wallet);

        address refusing = address(new WrongMagicWallet());
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidWalletSignature.selector, refusing));
        vm.prank(alice);
        identity.setAgentWallet(agentId, refusing, deadline, wrapped);
    }

    function test_SetAgentWalletRefusals() public {
        uint256 agentId = registerAs(alice, URI);
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = walletProof(agentId, hotKey, alice, deadline);

        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotAgentOwnerOrOperator.selector, agentId, mallory));
        vm.prank(mallory);
        identity.setAgentWallet(agentId, hotWallet, deadline, proof);

        vm.startPrank(alice);
        vm.expectRevert(IIdentityRegistry.InvalidAgentWallet.selector);
        identity.setAgentWallet(agentId, address(0), deadline, proof);
        // Signed by someone else than the new wallet.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidWalletSignature.selector, hotWallet));
        identity.setAgentWallet(
            agentId, hotWallet, deadline, signDigest(malloryKey, walletDigest(agentId, hotWallet, alice, deadline))
        );
        // A proof for another agent, or another deadline.
        uint256 other = identity.register(URI);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidWalletSignature.selector, hotWallet));
        identity.setAgentWallet(other, hotWallet, deadline, proof);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidWalletSignature.selector, hotWallet));
        identity.setAgentWallet(agentId, hotWallet, deadline + 1, proof);
        // No signature at all.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidWalletSignature.selector, hotWallet));
        identity.setAgentWallet(agentId, hotWallet, deadline, "");

        uint256 far = block.timestamp + 5 minutes + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                IIdentityRegistry.WalletProofDeadlineTooFar.selector, far, block.timestamp + 5 minutes
            )
        );
        identity.setAgentWallet(agentId, hotWallet, far, walletProof(agentId, hotKey, alice, far));
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.WalletProofExpired.selector, deadline));
        identity.setAgentWallet(agentId, hotWallet, deadline, proof);
        vm.stopPrank();
        assertEq(identity.getAgentWallet(agentId), alice);
    }

    function test_UnsetAgentWallet() public {
        uint256 agentId = registerAs(alice, URI);
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.NotAgentOwnerOrOperator.selector, agentId, mallory));
        vm.prank(mallory);
        identity.unsetAgentWallet(agentId);

        vm.expectEmit(address(identity));
        emit IIdentityRegistry.MetadataSet(agentId, "agentWallet", "agentWallet", "");
        vm.prank(alice);
        identity.unsetAgentWallet(agentId);
        assertEq(identity.getAgentWallet(agentId), address(0));
        assertEq(identity.getMetadata(agentId, "agentWallet"), "");
    }

    function test_TransferClearsTheWalletAndTheOldProofDoesNotRestoreIt() public {
        uint256 agentId = registerAs(alice, URI);
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = walletProof(agentId, hotKey, alice, deadline);
        vm.prank(alice);
        identity.setAgentWallet(agentId, hotWallet, deadline, proof);

        vm.expectEmit(address(identity));
        emit IIdentityRegistry.MetadataSet(agentId, "agentWallet", "agentWallet", "");
        vm.prank(alice);
        identity.transferFrom(alice, bob, agentId);
        assertEq(identity.getAgentWallet(agentId), address(0));
        assertEq(identity.getMetadata(agentId, "agentWallet"), "");

        // The proof named alice as the owner: bob cannot reuse it.
        vm.expectRevert(abi.encodeWithSelector(IIdentityRegistry.InvalidWalletSignature.selector, hotWallet));
        vm.prank(bob);
        identity.setAgentWallet(agentId, hotWallet, deadline, proof);
        vm.prank(bob);
        identity.setAgentWallet(agentId, hotWallet, deadline, walletProof(agentId, hotKey, bob, deadline));
        assertEq(identity.getAgentWallet(agentId), hotWallet);

        // safeTransferFrom clears it too, and a transfer to oneself counts as one.
        vm.prank(bob);
        identity.safeTransferFrom(bob, alice, agentId);
        assertEq(identity.getAgentWallet(agentId), address(0));
        proveWallet(agentId, hotKey);
        vm.prank(alice);
        identity.transferFrom(alice, alice, agentId);
        assertEq(identity.getAgentWallet(agentId), address(0));
    }

    // ---- reads ----

    function test_IsAuthorizedOrOwner() public {
        uint256 agentId = registerAs(alice, URI);
        assertTrue(identity.isAuthorizedOrOwner(alice, agentId));
        assertFalse(identity.isAuthorizedOrOwner(bob, agentId));
        vm.prank(alice);
        identity.approve(bob, agentId);
        assertTrue(identity.isAuthorizedOrOwner(bob, agentId));
        assertFalse(identity.isAuthorizedOrOwner(operator, agentId));
        vm.prank(alice);
        identity.setApprovalForAll(operator, true);
        assertTrue(identity.isAuthorizedOrOwner(operator, agentId));
        // The wallet is not a manager.
        proveWallet(agentId, hotKey);
        assertFalse(identity.isAuthorizedOrOwner(hotWallet, agentId));
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        identity.isAuthorizedOrOwner(alice, 9);
    }

    function test_DomainAndTypeHashAreTheReferenceDeployments() public view {
        assertEq(identity.AGENT_WALLET_SET_TYPEHASH(), AGENT_WALLET_SET_TYPEHASH);
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) =
            identity.eip712Domain();
        assertEq(name, "ERC8004IdentityRegistry");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(identity));
        assertTrue(identity.supportsInterface(type(IERC721).interfaceId));
        assertTrue(identity.supportsInterface(0x49064906)); // ERC-4906 metadata updates
    }

    function testFuzz_AnyKeyProvesItsWallet(uint256 key, uint256 delay) public {
        key = bound(key, 1, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140);
        uint256 deadline = block.timestamp + bound(delay, 0, 5 minutes);
        uint256 agentId = registerAs(alice, URI);
        vm.prank(alice);
        identity.setAgentWallet(agentId, vm.addr(key), deadline, walletProof(agentId, key, alice, deadline));
        assertEq(identity.getAgentWallet(agentId), vm.addr(key));
    }

    // ---- gas ----

    /// One isolated transaction each (run with --isolate -vv to see them).
    function test_GasRegister() public {
        registerAs(bob, URI);
        vm.prank(alice);
        identity.register();
        emit log_named_uint("register()", vm.lastCallGas().gasTotalUsed);
        vm.prank(alice);
        identity.register(URI);
        uint256 withUri = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("register(agentURI), a 57-byte https URI", withUri);
        assertLe(withUri, 200_000, "register(agentURI)");
        uint256 deadline = block.timestamp + 60;
        bytes memory proof = walletProof(2, hotKey, alice, deadline);
        vm.prank(alice);
        identity.setAgentWallet(2, hotWallet, deadline, proof);
        emit log_named_uint("setAgentWallet (EOA proof)", vm.lastCallGas().gasTotalUsed);
    }
}
