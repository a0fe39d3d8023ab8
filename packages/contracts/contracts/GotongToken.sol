// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title GotongToken
/// @notice A 6-decimal ERC-20 with EIP-2612 permit, used to pay for tool calls on devnets and
/// testnets. The owner can mint, so it is a test token, not a stablecoin.
/// @dev The EIP-712 domain is `{ name: <token name>, version: "1", chainId, verifyingContract }`.
contract GotongToken is ERC20, ERC20Permit, Ownable {
    /// @notice Creates the token with no initial supply.
    /// @param name_ Token name, also the EIP-712 domain name (e.g. "Gotong USD").
    /// @param symbol_ Token symbol (e.g. "gUSD").
    /// @param initialOwner The account allowed to mint.
    constructor(string memory name_, string memory symbol_, address initialOwner)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
        Ownable(initialOwner)
    {}

    /// @notice Mints `amount` base units to `to`.
    /// @dev Reverts with `OwnableUnauthorizedAccount` unless called by the owner.
    /// @param to Recipient of the new tokens.
    /// @param amount Amount in base units (6 decimals).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Token base units per whole token: 10**6, like USDC.
    /// @return The number of decimals, 6.
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
