// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {AccessPredicate} from "./AccessPredicate.sol";
import {AccessRequirement, RequirementLogic} from "../interfaces/IAccessPredicate.sol";
import {IERC20MinBalance} from "../interfaces/IRequirementTypes.sol";

/// @title ERC20MinBalancePredicate
/// @notice Grants access to accounts holding at least `minimum` base units of an ERC-20 token.
/// @dev Requirement: gotong's kind `IERC20MinBalance` (0x53aeebd0), data `abi.encode(token, minimum)`.
contract ERC20MinBalancePredicate is AccessPredicate {
    /// @notice The token.
    IERC20 public immutable token;
    /// @notice The smallest balance that passes, in base units, 1 or more.
    uint256 public immutable minimum;

    /// @notice Creates the gate.
    /// @dev Reverts with `NotAContract` if `token_` has no code, `ZeroMinimum` if `minimum_` is 0.
    /// @param token_ The ERC-20 token.
    /// @param minimum_ The smallest balance that passes, in base units.
    constructor(IERC20 token_, uint256 minimum_) {
        _requireContract(address(token_));
        if (minimum_ == 0) revert ZeroMinimum();
        token = token_;
        minimum = minimum_;
    }

    /// @notice Whether `account` holds at least `minimum` of `token`. `data` is ignored.
    /// @param account The account asking.
    /// @return Whether `token.balanceOf(account) >= minimum`.
    function hasAccess(uint256, address account, bytes calldata) external view returns (bool) {
        return token.balanceOf(account) >= minimum;
    }

    /// @notice The predicate's implementation name.
    /// @return "ERC20MinBalancePredicate".
    function name() external pure returns (string memory) {
        return "ERC20MinBalancePredicate";
    }

    /// @notice One requirement: hold `minimum` base units of `token` (the same for every tool).
    /// @return requirements `[{kind: IERC20MinBalance, data: abi.encode(token, minimum), label}]`.
    /// @return logic `AND`.
    function getRequirements(uint256)
        external
        view
        returns (AccessRequirement[] memory requirements, RequirementLogic logic)
    {
        return _single(
            type(IERC20MinBalance).interfaceId,
            abi.encode(address(token), minimum),
            string.concat(
                "Hold at least ",
                Strings.toString(minimum),
                " base units of ERC-20 token ",
                Strings.toHexString(address(token))
            )
        );
    }
}
