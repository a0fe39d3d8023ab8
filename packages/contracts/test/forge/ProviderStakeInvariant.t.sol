// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {ProviderStakeHandler} from "./handlers/ProviderStakeHandler.sol";

/// The handler catches every refusal it expects, so any revert reaching forge is a defect.
contract ProviderStakeInvariantTest is Test {
    ProviderStakeHandler handler;

    function setUp() public {
        handler = new ProviderStakeHandler();
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](5);
        selectors[0] = ProviderStakeHandler.stake.selector;
        selectors[1] = ProviderStakeHandler.requestWithdrawal.selector;
        selectors[2] = ProviderStakeHandler.withdraw.selector;
        selectors[3] = ProviderStakeHandler.warp.selector;
        selectors[4] = ProviderStakeHandler.slash.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// Every bucket holds exactly what was staked into it, less what left it by a withdrawal or
    /// a slash: no stake appears or vanishes.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_BucketsMatchTheirHistory() public view {
        for (uint256 i; i < handler.PROVIDERS(); i++) {
            for (uint256 t; t < handler.TOOLS(); t++) {
                assertEq(handler.bucketTotal(i, t), handler.ghostOf(i, t));
            }
        }
    }

    /// Nothing was withdrawn before its delay, and every slash moved what it should.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_NothingWithdrawnEarly() public view {
        assertEq(handler.violations(), 0);
    }

    /// Slashed funds are accounted to the unit: what the consumer was paid plus what stays
    /// locked is what was slashed, and the contract holds exactly the live stake plus the locked.
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_SlashedFundsAccountedToTheUnit() public view {
        (uint256 held, uint256 slashed, uint256 rewarded, uint256 locked) = handler.stakes().totals();
        assertEq(slashed, handler.ghostSlashed());
        assertEq(rewarded + locked, slashed);
        assertEq(rewarded, handler.ghostPaidToConsumer());
        assertEq(handler.consumerBalance(), rewarded);
        assertEq(handler.stakeBalance(), held + locked);
        uint256 sum;
        for (uint256 i; i < handler.PROVIDERS(); i++) {
            for (uint256 t; t < handler.TOOLS(); t++) {
                sum += handler.bucketTotal(i, t);
            }
        }
        assertEq(sum, held);
    }
}
