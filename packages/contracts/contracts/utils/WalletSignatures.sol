// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title WalletSignatures
/// @notice Checks a wallet's signature of an EIP-712 digest, whatever kind of wallet it is.
library WalletSignatures {
    /// @notice Whether `wallet` signed `digest`: a canonical 65-byte ECDSA signature recovering to
    /// it, or, for an account with code, its ERC-1271 `isValidSignature` accepting the bytes.
    /// @dev ECDSA is tried first even for accounts with code, so an EIP-7702 delegated EOA signs
    /// with its key whatever its delegate does with ERC-1271 (OpenZeppelin's `SignatureChecker`
    /// asks ERC-1271 only for such accounts).
    function isValidNow(address wallet, bytes32 digest, bytes calldata signature) internal view returns (bool) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == wallet) return true;
        return wallet.code.length != 0 && SignatureChecker.isValidERC1271SignatureNowCalldata(wallet, digest, signature);
    }
}
