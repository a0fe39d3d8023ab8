// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IValidationRegistry} from "../../contracts/interfaces/IValidationRegistry.sol";
import {Erc8004Fixture} from "./utils/Erc8004Fixture.sol";

contract ValidationRegistryTest is Erc8004Fixture {
    bytes32 constant REQUEST = keccak256("inputs and outputs of job 1");

    address owner = makeAddr("owner");
    address operator = makeAddr("operator");
    address validator = makeAddr("validator");
    address judge = makeAddr("judge");
    address mallory = makeAddr("mallory");
    uint256 agentId;

    function setUp() public {
        vm.warp(1_700_000_000);
        deployRegistries();
        agentId = registerAs(owner, "ipfs://agent");
    }

    function request(address who, address to, bytes32 requestHash) internal {
        vm.prank(who);
        validation.validationRequest(to, agentId, "ipfs://job", requestHash);
    }

    function respond(address who, bytes32 requestHash, uint8 response, string memory tag) internal {
        vm.prank(who);
        validation.validationResponse(requestHash, response, "ipfs://evidence", keccak256("evidence"), tag);
    }

    function only(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    function test_RequestIsRecordedAndListed() public {
        assertEq(validation.getIdentityRegistry(), address(identity));
        vm.expectEmit(address(validation));
        emit IValidationRegistry.ValidationRequest(validator, agentId, "ipfs://job", REQUEST);
        request(owner, validator, REQUEST);

        (address v, uint256 a, uint8 response, bytes32 responseHash, string memory tag, uint256 lastUpdate) =
            validation.getValidationStatus(REQUEST);
        assertEq(v, validator);
        assertEq(a, agentId);
        assertEq(response, 0);
        assertEq(responseHash, 0);
        assertEq(tag, "");
        assertEq(lastUpdate, block.timestamp);
        assertEq(validation.getAgentValidations(agentId).length, 1);
        assertEq(validation.getAgentValidations(agentId)[0], REQUEST);
        assertEq(validation.getValidatorRequests(validator)[0], REQUEST);
        // Asked, not answered: not in the summary.
        (uint64 count,) = validation.getSummary(agentId, new address[](0), "");
        assertEq(count, 0);
    }

    function test_AnOperatorMayRequest() public {
        vm.prank(owner);
        identity.setApprovalForAll(operator, true);
        request(operator, validator, REQUEST);
        assertEq(validation.getAgentValidations(agentId)[0], REQUEST);
    }

    function test_AValidatorMayOpenACheckNamingItself() public {
        request(validator, validator, REQUEST);
        respond(validator, REQUEST, 0, "spot-check");
        (uint64 count, uint8 average) = validation.getSummary(agentId, only(validator), "spot-check");
        assertEq(count, 1);
        assertEq(average, 0);
        // Naming another validator still needs the agent's owner or operator.
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.NotAgentOwnerOrOperator.selector, agentId, mallory));
        request(mallory, validator, keccak256("another job"));
        // Nor does naming itself make an agent that does not exist.
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        vm.prank(validator);
        validation.validationRequest(validator, 9, "ipfs://job", keccak256("a third job"));
    }

    function test_RequestRefusals() public {
        vm.expectRevert(IValidationRegistry.InvalidValidator.selector);
        request(owner, address(0), REQUEST);
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.NotAgentOwnerOrOperator.selector, agentId, mallory));
        request(mallory, validator, REQUEST);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 9));
        vm.prank(owner);
        validation.validationRequest(validator, 9, "ipfs://job", REQUEST);
        request(owner, validator, REQUEST);
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.RequestExists.selector, REQUEST));
        request(owner, judge, REQUEST);
    }

    function test_TheValidatorAnswersAndUpdates() public {
        request(owner, validator, REQUEST);
        vm.warp(block.timestamp + 60);
        vm.expectEmit(address(validation));
        emit IValidationRegistry.ValidationResponse(
            validator, agentId, REQUEST, 40, "ipfs://evidence", keccak256("evidence"), "soft-finality"
        );
        respond(validator, REQUEST, 40, "soft-finality");
        vm.warp(block.timestamp + 60);
        respond(validator, REQUEST, 100, "hard-finality");

        (,, uint8 response, bytes32 responseHash, string memory tag, uint256 lastUpdate) =
            validation.getValidationStatus(REQUEST);
        assertEq(response, 100);
        assertEq(responseHash, keccak256("evidence"));
        assertEq(tag, "hard-finality");
        assertEq(lastUpdate, block.timestamp);
    }

    function test_ResponseRefusals() public {
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.RequestNotFound.selector, REQUEST));
        respond(validator, REQUEST, 100, "");
        request(owner, validator, REQUEST);
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.NotValidator.selector, REQUEST, owner));
        respond(owner, REQUEST, 100, "");
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.ResponseOutOfRange.selector, 101));
        respond(validator, REQUEST, 101, "");
        vm.expectRevert(abi.encodeWithSelector(IValidationRegistry.RequestNotFound.selector, bytes32(uint256(1))));
        validation.getValidationStatus(bytes32(uint256(1)));
    }

    function test_SummaryFiltersByValidatorAndTag() public {
        bytes32 second = keccak256("job 2");
        bytes32 third = keccak256("job 3");
        request(owner, validator, REQUEST);
        request(owner, judge, second);
        request(owner, judge, third);
        respond(validator, REQUEST, 100, "zkml");
        respond(judge, second, 51, "tee");
        // third is never answered.

        (uint64 count, uint8 average) = validation.getSummary(agentId, new address[](0), "");
        assertEq(count, 2);
        assertEq(average, 75); // 151 / 2, rounded down
        (count, average) = validation.getSummary(agentId, only(judge), "");
        assertEq(count, 1);
        assertEq(average, 51);
        (count, average) = validation.getSummary(agentId, new address[](0), "zkml");
        assertEq(count, 1);
        assertEq(average, 100);
        (count, average) = validation.getSummary(agentId, only(mallory), "");
        assertEq(count, 0);
        assertEq(average, 0);
        assertEq(validation.getValidatorRequests(judge).length, 2);
        assertEq(validation.getAgentValidations(agentId).length, 3);
    }
}
