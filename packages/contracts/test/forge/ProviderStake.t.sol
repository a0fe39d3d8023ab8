// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProviderStake} from "../../contracts/interfaces/IProviderStake.sol";
import {IReceiptFeedbackGateway} from "../../contracts/interfaces/IReceiptFeedbackGateway.sol";
import {StakeFixture} from "./utils/StakeFixture.sol";

contract ProviderStakeTest is StakeFixture {
    address provider;
    uint256 providerKey;
    address consumer = makeAddr("consumer");
    address reporter = makeAddr("reporter");
    IReceiptFeedbackGateway.Agreement agreement;

    function setUp() public {
        deployStake();
        (provider, providerKey) = makeAddrAndKey("provider");
        agreement = agreementFor(consumer, provider, TOOL);
        vm.prank(provider);
        stakes.declareDeterministic(agreement.manifestHash);
    }

    /// Two receipts for one request, the second with another response, both signed.
    function equivocation()
        internal
        view
        returns (
            IReceiptFeedbackGateway.Receipt memory a,
            bytes memory sigA,
            IReceiptFeedbackGateway.Receipt memory b,
            bytes memory sigB
        )
    {
        a = answer(agreement, 1, keccak256("request"), keccak256("response 1"));
        b = answer(agreement, 2, keccak256("request"), keccak256("response 2"));
        sigA = signReceipt(providerKey, a);
        sigB = signReceipt(providerKey, b);
    }

    function slash() internal returns (uint256) {
        (
            IReceiptFeedbackGateway.Receipt memory a,
            bytes memory sigA,
            IReceiptFeedbackGateway.Receipt memory b,
            bytes memory sigB
        ) = equivocation();
        vm.prank(reporter);
        return stakes.slashEquivocation(agreement, a, sigA, b, sigB);
    }

    // ---- stake and withdraw ----

    function test_StakePullsTokensAndShowsBehindTheTool() public {
        stakeAs(provider, TOOL, 300e6);
        stakeAs(provider, 0, 200e6);
        assertEq(token.balanceOf(address(stakes)), 500e6);
        assertEq(stakes.stakeOf(provider, TOOL), 500e6);
        assertEq(stakes.stakeOf(provider, 0), 200e6);
        assertEq(stakes.stakeOf(provider, 8), 200e6);
    }

    function test_WithdrawPaysBackAfterTheDelay() public {
        stakeAs(provider, TOOL, 300e6);
        vm.prank(provider);
        stakes.requestWithdrawal(TOOL, 100e6);
        assertEq(stakes.stakeOf(provider, TOOL), 200e6);
        vm.warp(block.timestamp + DELAY);
        vm.prank(provider);
        assertEq(stakes.withdraw(TOOL), 100e6);
        assertEq(token.balanceOf(provider), 100e6);
        assertEq(token.balanceOf(address(stakes)), 200e6);
    }

    function test_WithdrawBeforeTheDelayReverts() public {
        stakeAs(provider, TOOL, 300e6);
        vm.prank(provider);
        stakes.requestWithdrawal(TOOL, 100e6);
        uint64 unlockAt = uint64(block.timestamp + DELAY);
        vm.warp(unlockAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.WithdrawalLocked.selector, unlockAt));
        vm.prank(provider);
        stakes.withdraw(TOOL);
    }

    function test_ANewRequestRestartsTheClock() public {
        stakeAs(provider, TOOL, 300e6);
        vm.startPrank(provider);
        stakes.requestWithdrawal(TOOL, 100e6);
        vm.warp(block.timestamp + DELAY - 1);
        stakes.requestWithdrawal(TOOL, 100e6);
        vm.warp(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.WithdrawalLocked.selector, block.timestamp + DELAY - 1));
        stakes.withdraw(TOOL);
        vm.stopPrank();
    }

    function test_WithdrawWithNothingPendingReverts() public {
        stakeAs(provider, TOOL, 300e6);
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.WithdrawalLocked.selector, 0));
        vm.prank(provider);
        stakes.withdraw(TOOL);
    }

    function test_AskingBackMoreThanStakedReverts() public {
        stakeAs(provider, TOOL, 300e6);
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.InsufficientStake.selector, 300e6, 301e6));
        vm.prank(provider);
        stakes.requestWithdrawal(TOOL, 301e6);
    }

    function test_StakingZeroReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.InvalidAmount.selector, 0));
        vm.prank(provider);
        stakes.stake(TOOL, 0);
    }

    // ---- slashing ----

    function test_SlashTakesBothBucketsAndPaysTheConsumerHalf() public {
        stakeAs(provider, TOOL, 300e6);
        stakeAs(provider, 0, 201e6);
        stakeAs(provider, 8, 50e6);
        assertEq(slash(), 501e6);
        assertEq(token.balanceOf(consumer), 250_500_000);
        assertEq(token.balanceOf(reporter), 0);
        assertEq(stakes.stakeOf(provider, TOOL), 0);
        // Another tool's own bucket is not behind this one.
        assertEq(stakes.stakeOf(provider, 8), 50e6);
        (uint256 held, uint256 slashed, uint256 rewarded, uint256 locked) = stakes.totals();
        assertEq(held, 50e6);
        assertEq(slashed, 501e6);
        assertEq(rewarded, 250_500_000);
        assertEq(locked, 250_500_000);
        assertEq(token.balanceOf(address(stakes)), held + locked);
        assertTrue(stakes.isSlashed(provider, keccak256("request")));
    }

    function test_SlashTakesPendingStakeToo() public {
        stakeAs(provider, TOOL, 300e6);
        vm.prank(provider);
        stakes.requestWithdrawal(TOOL, 300e6);
        assertEq(slash(), 300e6);
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.WithdrawalLocked.selector, 0));
        vm.prank(provider);
        stakes.withdraw(TOOL);
    }

    function test_SlashingOneRequestTwiceReverts() public {
        stakeAs(provider, TOOL, 300e6);
        slash();
        stakeAs(provider, TOOL, 300e6);
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.AlreadySlashed.selector, provider, keccak256("request")));
        slash();
    }

    function test_SlashWithNothingStakedReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.NothingToSlash.selector, provider, TOOL));
        slash();
    }

    function test_SameResponseIsNoEquivocation() public {
        stakeAs(provider, TOOL, 300e6);
        IReceiptFeedbackGateway.Receipt memory a = answer(agreement, 1, keccak256("request"), keccak256("response"));
        IReceiptFeedbackGateway.Receipt memory b = answer(agreement, 2, keccak256("request"), keccak256("response"));
        bytes memory sigA = signReceipt(providerKey, a);
        bytes memory sigB = signReceipt(providerKey, b);
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.SameResponse.selector, keccak256("response")));
        stakes.slashEquivocation(agreement, a, sigA, b, sigB);
    }

    function test_DifferentRequestsAreNoEquivocation() public {
        stakeAs(provider, TOOL, 300e6);
        IReceiptFeedbackGateway.Receipt memory a = answer(agreement, 1, keccak256("request 1"), keccak256("r1"));
        IReceiptFeedbackGateway.Receipt memory b = answer(agreement, 2, keccak256("request 2"), keccak256("r2"));
        bytes memory sigA = signReceipt(providerKey, a);
        bytes memory sigB = signReceipt(providerKey, b);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderStake.DifferentRequests.selector, keccak256("request 1"), keccak256("request 2")
            )
        );
        stakes.slashEquivocation(agreement, a, sigA, b, sigB);
    }

    function test_AnUndeclaredToolIsNotSlashable() public {
        IReceiptFeedbackGateway.Agreement memory other = agreementFor(consumer, provider, 8);
        stakeAs(provider, 8, 300e6);
        IReceiptFeedbackGateway.Receipt memory a = answer(other, 1, keccak256("request"), keccak256("r1"));
        IReceiptFeedbackGateway.Receipt memory b = answer(other, 2, keccak256("request"), keccak256("r2"));
        bytes memory sigA = signReceipt(providerKey, a);
        bytes memory sigB = signReceipt(providerKey, b);
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.NotDeterministic.selector, provider, other.manifestHash));
        stakes.slashEquivocation(other, a, sigA, b, sigB);
    }

    function test_AnotherKeysReceiptIsRefused() public {
        stakeAs(provider, TOOL, 300e6);
        (, uint256 strangerKey) = makeAddrAndKey("stranger");
        (IReceiptFeedbackGateway.Receipt memory a, bytes memory sigA, IReceiptFeedbackGateway.Receipt memory b,) =
            equivocation();
        bytes memory forged = signReceipt(strangerKey, b);
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.InvalidReceiptSignature.selector, provider));
        stakes.slashEquivocation(agreement, a, sigA, b, forged);
    }

    function test_ReceiptsUnderAnotherAgreementAreRefused() public {
        stakeAs(provider, TOOL, 300e6);
        IReceiptFeedbackGateway.Agreement memory other = agreementFor(consumer, provider, TOOL);
        (IReceiptFeedbackGateway.Receipt memory a, bytes memory sigA,,) = equivocation();
        IReceiptFeedbackGateway.Receipt memory b = answer(other, 1, keccak256("request"), keccak256("r2"));
        bytes memory sigB = signReceipt(providerKey, b);
        vm.expectRevert(abi.encodeWithSelector(IProviderStake.TermsMismatch.selector, b.termsHash, a.termsHash));
        stakes.slashEquivocation(agreement, a, sigA, b, sigB);
    }

    function test_TheContractRecomputesCoresReceiptDigest() public view {
        IReceiptFeedbackGateway.Receipt memory a = answer(agreement, 1, keccak256("request"), keccak256("r"));
        assertEq(stakes.hashReceipt(a), receiptDigest(a));
        assertEq(stakes.hashReceipt(a), gateway.hashReceipt(a));
        assertEq(stakes.hashAgreement(agreement), termsHashOf(agreement));
    }

    function testFuzz_RewardAndLockedSumToTheSlash(uint128 toolStake, uint128 allStake) public {
        vm.assume(uint256(toolStake) + allStake > 0);
        vm.assume(uint256(toolStake) + allStake <= type(uint128).max);
        if (toolStake > 0) stakeAs(provider, TOOL, toolStake);
        if (allStake > 0) stakeAs(provider, 0, allStake);
        uint256 slashed = slash();
        (,, uint256 rewarded, uint256 locked) = stakes.totals();
        assertEq(slashed, uint256(toolStake) + allStake);
        assertEq(rewarded + locked, slashed);
        assertEq(token.balanceOf(consumer), rewarded);
        assertEq(token.balanceOf(address(stakes)), locked);
    }

    // ---- gas (run with --isolate for one transaction each) ----

    function test_GasStakeWithdrawSlash() public {
        stakeAs(makeAddr("warm"), TOOL, 1e6);
        vm.prank(tokenOwner);
        token.mint(provider, 1_000e6);
        vm.prank(provider);
        token.approve(address(stakes), type(uint256).max);
        vm.prank(provider);
        stakes.stake(TOOL, 500e6);
        uint256 first = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("stake, a provider's first for the tool", first);
        assertLe(first, 100_000, "stake");
        vm.prank(provider);
        stakes.stake(0, 400e6);
        vm.prank(provider);
        stakes.stake(TOOL, 100e6);
        emit log_named_uint("stake, the same tool again", vm.lastCallGas().gasTotalUsed);
        vm.prank(provider);
        stakes.requestWithdrawal(TOOL, 100e6);
        emit log_named_uint("requestWithdrawal", vm.lastCallGas().gasTotalUsed);
        vm.warp(block.timestamp + DELAY);
        vm.prank(provider);
        stakes.withdraw(TOOL);
        emit log_named_uint("withdraw", vm.lastCallGas().gasTotalUsed);
        vm.prank(provider);
        stakes.declareDeterministic(keccak256("another manifest"));
        emit log_named_uint("declareDeterministic", vm.lastCallGas().gasTotalUsed);
        slash();
        uint256 slashGas = vm.lastCallGas().gasTotalUsed;
        emit log_named_uint("slashEquivocation, tool and all-tools buckets", slashGas);
        assertLe(slashGas, 200_000, "slashEquivocation");
    }
}
