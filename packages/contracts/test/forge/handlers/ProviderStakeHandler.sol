// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProviderStake} from "../../../contracts/interfaces/IProviderStake.sol";
import {IReceiptFeedbackGateway} from "../../../contracts/interfaces/IReceiptFeedbackGateway.sol";
import {StakeFixture} from "../utils/StakeFixture.sol";

/// Three providers stake behind two tools and all their tools, ask stake back, try to withdraw
/// at random times (early too), and get slashed for equivocations a consumer reports; ghost
/// values say what each should hold.
contract ProviderStakeHandler is StakeFixture {
    uint256 public constant PROVIDERS = 3;
    uint256 public constant TOOLS = 3; // ids 0 (all tools), 1 and 2

    address[PROVIDERS] public providers;
    uint256[PROVIDERS] keys;
    address consumer = makeAddr("consumer");
    IReceiptFeedbackGateway.Agreement[PROVIDERS][TOOLS] agreements;

    /// What each bucket should hold, staked plus pending.
    mapping(address => mapping(uint256 => uint256)) public ghostBucket;
    /// The earliest each bucket's pending stake may leave.
    mapping(address => mapping(uint256 => uint256)) public ghostUnlock;
    uint256 public ghostWithdrawn;
    uint256 public ghostSlashed;
    uint256 public ghostPaidToConsumer;
    uint256 requests;
    /// Successful withdrawals and slashes, to see the run reached them.
    uint256 public withdrawals;
    uint256 public slashes;
    /// Withdrawals that succeeded early, or slashes that moved the wrong amount.
    uint256 public violations;

    constructor() {
        deployStake();
        for (uint256 i; i < PROVIDERS; i++) {
            (providers[i], keys[i]) = makeAddrAndKey(string.concat("provider", vm.toString(i)));
            for (uint256 t = 1; t < TOOLS; t++) {
                agreements[i][t] = agreementFor(consumer, providers[i], t);
                vm.prank(providers[i]);
                stakes.declareDeterministic(agreements[i][t].manifestHash);
            }
        }
    }

    function stake(uint256 who, uint256 toolId, uint256 amount) external {
        (address p, uint256 t) = (providers[who % PROVIDERS], toolId % TOOLS);
        amount = bound(amount, 1, 1e12);
        stakeAs(p, t, amount);
        ghostBucket[p][t] += amount;
    }

    /// Asks stake back from the first bucket from (`who`, `toolId`) on with stake in it.
    function requestWithdrawal(uint256 who, uint256 toolId, uint256 amount) external {
        (who, toolId) = (who % PROVIDERS, toolId % TOOLS);
        (address p, uint256 t) = (providers[who], toolId);
        for (uint256 k; k < PROVIDERS * TOOLS && stakes.bucketOf(p, t).staked == 0; k++) {
            (p, t) = (providers[(who + k / TOOLS) % PROVIDERS], (toolId + k) % TOOLS);
        }
        uint256 staked = stakes.bucketOf(p, t).staked;
        if (staked == 0) return;
        vm.prank(p);
        stakes.requestWithdrawal(t, bound(amount, 1, staked));
        ghostUnlock[p][t] = block.timestamp + DELAY;
    }

    /// Withdraws from the first bucket from (`who`, `toolId`) on with stake pending, ripe or not.
    function withdraw(uint256 who, uint256 toolId) external {
        (who, toolId) = (who % PROVIDERS, toolId % TOOLS);
        (address p, uint256 t) = (providers[who], toolId);
        for (uint256 k; k < PROVIDERS * TOOLS && stakes.bucketOf(p, t).pending == 0; k++) {
            (p, t) = (providers[(who + k / TOOLS) % PROVIDERS], (toolId + k) % TOOLS);
        }
        uint256 pending = stakes.bucketOf(p, t).pending;
        uint256 before = token.balanceOf(p);
        vm.prank(p);
        try stakes.withdraw(t) returns (uint256 amount) {
            if (block.timestamp < ghostUnlock[p][t] || amount != pending || amount == 0) violations++;
            if (token.balanceOf(p) - before != amount) violations++;
            ghostBucket[p][t] -= amount;
            ghostWithdrawn += amount;
            withdrawals++;
        } catch {
            if (pending != 0 && block.timestamp >= ghostUnlock[p][t]) violations++;
        }
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 2 * DELAY));
    }

    /// The consumer reports an equivocation of `who` on tool 1 or 2.
    function slash(uint256 who, uint256 toolId) external {
        uint256 i = who % PROVIDERS;
        uint256 t = 1 + toolId % (TOOLS - 1);
        address p = providers[i];
        uint256 expected = ghostBucket[p][t] + ghostBucket[p][0];
        uint256 before = token.balanceOf(consumer);
        try this.report(i, t) returns (uint256 slashed) {
            if (slashed != expected) violations++;
            uint256 paid = token.balanceOf(consumer) - before;
            if (paid != slashed * stakes.REPORTER_SHARE_BPS() / 10_000) violations++;
            ghostBucket[p][t] = 0;
            ghostBucket[p][0] = 0;
            ghostSlashed += slashed;
            ghostPaidToConsumer += paid;
            slashes++;
        } catch (bytes memory reason) {
            if (expected != 0 || bytes4(reason) != IProviderStake.NothingToSlash.selector) violations++;
        }
    }

    /// Signs a fresh request answered two ways by provider `i` on tool `t` and submits it.
    function report(uint256 i, uint256 t) external returns (uint256) {
        require(msg.sender == address(this));
        IReceiptFeedbackGateway.Agreement memory a = agreements[i][t];
        bytes32 request = keccak256(abi.encode("request", ++requests));
        IReceiptFeedbackGateway.Receipt memory ra = answer(a, 1, request, keccak256("one answer"));
        IReceiptFeedbackGateway.Receipt memory rb = answer(a, 2, request, keccak256("another"));
        bytes memory sa = signReceipt(keys[i], ra);
        bytes memory sb = signReceipt(keys[i], rb);
        return stakes.slashEquivocation(a, ra, sa, rb, sb);
    }

    // ---- views for the invariants ----

    function bucketTotal(uint256 i, uint256 t) external view returns (uint256) {
        IProviderStake.Bucket memory b = stakes.bucketOf(providers[i], t);
        return uint256(b.staked) + b.pending;
    }

    function ghostOf(uint256 i, uint256 t) external view returns (uint256) {
        return ghostBucket[providers[i]][t];
    }

    function stakeBalance() external view returns (uint256) {
        return token.balanceOf(address(stakes));
    }

    function consumerBalance() external view returns (uint256) {
        return token.balanceOf(consumer);
    }
}
