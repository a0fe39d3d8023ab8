// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ToolDirectory} from "../../../contracts/ToolDirectory.sol";
import {AccessPass} from "../../../contracts/AccessPass.sol";
import {GotongToken} from "../../../contracts/GotongToken.sol";
import {
    IAccessPredicate,
    AccessRequirement,
    RequirementLogic
} from "../../../contracts/interfaces/IAccessPredicate.sol";
import {
    IERC721Holding,
    IERC1155Holding,
    ISubscription,
    IERC20MinBalance,
    IAccessPaused
} from "../../../contracts/interfaces/IRequirementTypes.sol";
import {AccessPredicate} from "../../../contracts/predicates/AccessPredicate.sol";
import {ERC721HoldingPredicate} from "../../../contracts/predicates/ERC721HoldingPredicate.sol";
import {ERC1155HoldingPredicate} from "../../../contracts/predicates/ERC1155HoldingPredicate.sol";
import {ERC20MinBalancePredicate} from "../../../contracts/predicates/ERC20MinBalancePredicate.sol";
import {AlwaysDenyPredicate} from "../../../contracts/predicates/AlwaysDenyPredicate.sol";

contract MockERC721 is ERC721 {
    constructor() ERC721("Mock Pass", "MPASS") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    function burn(uint256 tokenId) external {
        _burn(tokenId);
    }
}

/// Pins the requirement kinds: ERC-8257's (reproduced from the ERC's test cases) and gotong's.
contract RequirementTypesTest is Test {
    function test_KindsArePinned() public pure {
        assertEq(type(IERC721Holding).interfaceId, bytes4(0xbdf8c428));
        assertEq(type(IERC1155Holding).interfaceId, bytes4(0xcb429230));
        assertEq(type(ISubscription).interfaceId, bytes4(0x44387cc2));
        assertEq(type(IERC20MinBalance).interfaceId, bytes4(0x53aeebd0));
        assertEq(type(IAccessPaused).interfaceId, bytes4(0x3e9c155d));
    }

    function test_KindsAreSelectorsOfTheirMarkerFunction() public pure {
        assertEq(type(IERC20MinBalance).interfaceId, bytes4(keccak256("erc20MinBalance()")));
        assertEq(type(IAccessPaused).interfaceId, bytes4(keccak256("accessPaused()")));
    }

    function test_GotongKindsDoNotCollide() public pure {
        bytes4[5] memory kinds = [
            type(IERC721Holding).interfaceId,
            type(IERC1155Holding).interfaceId,
            type(ISubscription).interfaceId,
            type(IERC20MinBalance).interfaceId,
            type(IAccessPaused).interfaceId
        ];
        for (uint256 i; i < kinds.length; i++) {
            assertTrue(kinds[i] != bytes4(0) && kinds[i] != type(IAccessPredicate).interfaceId);
            for (uint256 j = i + 1; j < kinds.length; j++) {
                assertTrue(kinds[i] != kinds[j]);
            }
        }
    }
}

abstract contract PredicateFixture is Test {
    ToolDirectory dir;
    address owner = makeAddr("owner");
    address creator = makeAddr("creator");
    address holder = makeAddr("holder");
    address stranger = makeAddr("stranger");

    function setUp() public virtual {
        dir = new ToolDirectory();
    }

    /// Registers a tool gated by `predicate` (the registry's ERC-165 ladder accepts it).
    function gate(address predicate) internal returns (uint256 toolId) {
        vm.prank(creator);
        toolId = dir.registerTool("https://tools.example/.well-known/ai-tool/gated.json", keccak256("m"), predicate);
    }

    function assertAccess(uint256 toolId, address account, bool ok, bool granted) internal view {
        (bool gotOk, bool gotGranted) = dir.tryHasAccess(toolId, account, "");
        assertEq(gotOk, ok, "ok");
        assertEq(gotGranted, granted, "granted");
        assertEq(dir.hasAccess(toolId, account, ""), ok && granted);
    }

    function assertAdvertises(IAccessPredicate predicate) internal view {
        IERC165 p = IERC165(address(predicate));
        assertTrue(p.supportsInterface(type(IAccessPredicate).interfaceId));
        assertTrue(p.supportsInterface(type(IERC165).interfaceId));
        assertFalse(p.supportsInterface(0xffffffff));
    }

    function single(IAccessPredicate predicate, uint256 toolId) internal view returns (AccessRequirement memory) {
        (AccessRequirement[] memory reqs, RequirementLogic logic) = predicate.getRequirements(toolId);
        assertEq(reqs.length, 1);
        assertEq(uint8(logic), uint8(RequirementLogic.AND));
        assertLe(bytes(reqs[0].label).length, 256);
        assertLe(reqs[0].data.length, 4096);
        return reqs[0];
    }
}

contract ERC721HoldingPredicateTest is PredicateFixture {
    MockERC721 nft;
    ERC721HoldingPredicate predicate;

    function setUp() public override {
        super.setUp();
        nft = new MockERC721();
        predicate = new ERC721HoldingPredicate(nft);
    }

    function test_Metadata() public view {
        assertEq(predicate.name(), "ERC721HoldingPredicate");
        assertEq(address(predicate.collection()), address(nft));
        assertAdvertises(predicate);
    }

    function test_HolderPassesUntilTheTokenLeaves() public {
        uint256 toolId = gate(address(predicate));
        assertAccess(toolId, holder, true, false);
        nft.mint(holder, 7);
        assertAccess(toolId, holder, true, true);
        assertAccess(toolId, stranger, true, false);
        vm.prank(holder);
        nft.transferFrom(holder, stranger, 7);
        assertAccess(toolId, holder, true, false);
        assertAccess(toolId, stranger, true, true);
    }

    function test_ZeroAddressIsDeniedNotMalfunction() public {
        // OZ's ERC721 reverts on balanceOf(address(0)); the predicate answers false instead.
        uint256 toolId = gate(address(predicate));
        assertAccess(toolId, address(0), true, false);
    }

    function test_OnePredicateServesManyTools() public {
        nft.mint(holder, 1);
        uint256 a = gate(address(predicate));
        uint256 b = gate(address(predicate));
        assertAccess(a, holder, true, true);
        assertAccess(b, holder, true, true);
    }

    function test_Requirements() public view {
        AccessRequirement memory r = single(predicate, 42);
        assertEq(r.kind, type(IERC721Holding).interfaceId);
        assertEq(r.data, abi.encode(address(nft)));
        assertEq(abi.decode(r.data, (address)), address(nft));
        assertEq(
            r.label, string.concat("Hold any token of ERC-721 collection ", vm.toLowercase(vm.toString(address(nft))))
        );
    }

    function test_RevertWhen_CollectionHasNoCode() public {
        address nothing = makeAddr("nothing");
        vm.expectRevert(abi.encodeWithSelector(AccessPredicate.NotAContract.selector, nothing));
        new ERC721HoldingPredicate(IERC721(nothing));
    }

    function test_MalfunctionWhen_CollectionLosesItsCode() public {
        uint256 toolId = gate(address(predicate));
        nft.mint(holder, 1);
        vm.etch(address(nft), "");
        assertAccess(toolId, holder, false, false);
    }
}

contract ERC1155HoldingPredicateTest is PredicateFixture {
    AccessPass pass;
    ERC1155HoldingPredicate tier1;
    ERC1155HoldingPredicate tier2x3;

    function setUp() public override {
        super.setUp();
        pass = new AccessPass("https://passes.example/{id}.json", owner);
        tier1 = new ERC1155HoldingPredicate(pass, 1, 1);
        tier2x3 = new ERC1155HoldingPredicate(pass, 2, 3);
    }

    function test_Metadata() public view {
        assertEq(tier2x3.name(), "ERC1155HoldingPredicate");
        assertEq(address(tier2x3.collection()), address(pass));
        assertEq(tier2x3.tokenId(), 2);
        assertEq(tier2x3.minimum(), 3);
        assertAdvertises(tier2x3);
    }

    function test_HolderOfTierPasses() public {
        uint256 toolId = gate(address(tier1));
        assertAccess(toolId, holder, true, false);
        vm.prank(owner);
        pass.mint(holder, 2, 1, "");
        // Another tier does not count.
        assertAccess(toolId, holder, true, false);
        vm.prank(owner);
        pass.mint(holder, 1, 1, "");
        assertAccess(toolId, holder, true, true);
    }

    function test_MinimumAboveOne() public {
        uint256 toolId = gate(address(tier2x3));
        vm.prank(owner);
        pass.mint(holder, 2, 2, "");
        assertAccess(toolId, holder, true, false);
        vm.prank(owner);
        pass.mint(holder, 2, 1, "");
        assertAccess(toolId, holder, true, true);
        vm.prank(holder);
        pass.safeTransferFrom(holder, stranger, 2, 1, "");
        assertAccess(toolId, holder, true, false);
    }

    function test_Requirements() public view {
        AccessRequirement memory r = single(tier2x3, 1);
        assertEq(r.kind, type(IERC1155Holding).interfaceId);
        // Exactly ERC-8257's layout; the minimum is in the label and in `minimum()`.
        assertEq(r.data, abi.encode(address(pass), uint256(2)));
        assertEq(
            r.label,
            string.concat(
                "Hold at least 3 of token id 2 of ERC-1155 collection ", vm.toLowercase(vm.toString(address(pass)))
            )
        );
    }

    function test_RevertWhen_BadConfiguration() public {
        vm.expectRevert(AccessPredicate.ZeroMinimum.selector);
        new ERC1155HoldingPredicate(pass, 1, 0);
        address nothing = makeAddr("nothing");
        vm.expectRevert(abi.encodeWithSelector(AccessPredicate.NotAContract.selector, nothing));
        new ERC1155HoldingPredicate(IERC1155(nothing), 1, 1);
    }

    function testFuzz_GrantsExactlyAtMinimum(uint256 minimum, uint256 balance) public {
        minimum = bound(minimum, 1, 1e30);
        balance = bound(balance, 0, 1e30);
        ERC1155HoldingPredicate p = new ERC1155HoldingPredicate(pass, 5, minimum);
        if (balance > 0) {
            vm.prank(owner);
            pass.mint(holder, 5, balance, "");
        }
        assertEq(p.hasAccess(0, holder, ""), balance >= minimum);
    }
}

contract ERC20MinBalancePredicateTest is PredicateFixture {
    GotongToken token;
    ERC20MinBalancePredicate predicate;

    function setUp() public override {
        super.setUp();
        token = new GotongToken("Gotong USD", "gUSD", owner);
        predicate = new ERC20MinBalancePredicate(token, 5_000_000); // 5 gUSD
    }

    function test_Metadata() public view {
        assertEq(predicate.name(), "ERC20MinBalancePredicate");
        assertEq(address(predicate.token()), address(token));
        assertEq(predicate.minimum(), 5_000_000);
        assertAdvertises(predicate);
    }

    function test_BalanceAtMinimumPasses() public {
        uint256 toolId = gate(address(predicate));
        vm.prank(owner);
        token.mint(holder, 4_999_999);
        assertAccess(toolId, holder, true, false);
        vm.prank(owner);
        token.mint(holder, 1);
        assertAccess(toolId, holder, true, true);
        vm.prank(holder);
        assertTrue(token.transfer(stranger, 1));
        assertAccess(toolId, holder, true, false);
    }

    function test_Requirements() public view {
        AccessRequirement memory r = single(predicate, 9);
        assertEq(r.kind, bytes4(0x53aeebd0));
        (address t, uint256 minimum) = abi.decode(r.data, (address, uint256));
        assertEq(t, address(token));
        assertEq(minimum, 5_000_000);
        assertEq(
            r.label,
            string.concat(
                "Hold at least 5000000 base units of ERC-20 token ", vm.toLowercase(vm.toString(address(token)))
            )
        );
    }

    function test_LabelFitsWithTheLargestMinimum() public {
        ERC20MinBalancePredicate p = new ERC20MinBalancePredicate(token, type(uint256).max);
        single(p, 0);
    }

    function test_RevertWhen_BadConfiguration() public {
        vm.expectRevert(AccessPredicate.ZeroMinimum.selector);
        new ERC20MinBalancePredicate(token, 0);
        vm.expectRevert(abi.encodeWithSelector(AccessPredicate.NotAContract.selector, address(0)));
        new ERC20MinBalancePredicate(IERC20(address(0)), 1);
    }

    function test_MalfunctionWhen_TokenReverts() public {
        uint256 toolId = gate(address(predicate));
        vm.mockCallRevert(address(token), abi.encodeCall(IERC20.balanceOf, (holder)), "paused");
        assertAccess(toolId, holder, false, false);
    }
}

contract AlwaysDenyPredicateTest is PredicateFixture {
    AlwaysDenyPredicate deny;

    function setUp() public override {
        super.setUp();
        deny = new AlwaysDenyPredicate();
    }

    function test_Metadata() public view {
        assertEq(deny.name(), "AlwaysDenyPredicate");
        assertAdvertises(deny);
    }

    function test_Requirements() public view {
        AccessRequirement memory r = single(deny, 3);
        assertEq(r.kind, type(IAccessPaused).interfaceId);
        assertEq(r.data, "");
        assertEq(r.label, "Paused by the tool's creator: nobody has access");
    }

    function testFuzz_DeniesEveryone(address account, bytes calldata data) public {
        uint256 toolId = gate(address(deny));
        assertFalse(deny.hasAccess(toolId, account, data));
        (bool ok, bool granted) = dir.tryHasAccess(toolId, account, data);
        assertTrue(ok);
        assertFalse(granted);
    }
}
