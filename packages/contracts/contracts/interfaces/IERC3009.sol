// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IERC3009
/// @notice EIP-3009 transfers with a signed authorization, as USDC (FiatToken v2.2) has them: a
/// holder signs an EIP-712 `TransferWithAuthorization`, `ReceiveWithAuthorization` or
/// `CancelAuthorization` off chain, and anyone (for receive: only the payee) submits it.
/// @dev Every function comes in two signature forms, as in FiatToken v2.2: `(…, uint8 v, bytes32 r,
/// bytes32 s)` and `(…, bytes signature)`. Both check the signature the same way: by ECDSA when the
/// authorizer has no code, by ERC-1271 `isValidSignature` when it has (the v, r, s form passes
/// `abi.encodePacked(r, s, v)`). An authorization is valid while
/// `validAfter < block.timestamp < validBefore` (both strict) and its nonce is unused; nonces are
/// random 32-byte values, unique per authorizer, used or canceled once and never again.
/// Typed data (domain `{ name, version, chainId, verifyingContract }`):
/// `TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)`,
/// `ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)`,
/// `CancelAuthorization(address authorizer,bytes32 nonce)`.
interface IERC3009 {
    /// @notice `authorizer`'s authorization `nonce` moved tokens; the nonce is spent.
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);

    /// @notice `authorizer` canceled `nonce` before it was used; it can never be used now.
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    /// @notice Submitted at or before `validAfter` (the window opens strictly after it).
    error AuthorizationNotYetValid(uint256 validAfter);
    /// @notice Submitted at or after `validBefore` (the window closes strictly before it).
    error AuthorizationExpired(uint256 validBefore);
    /// @notice `authorizer` already used or canceled `nonce`.
    error AuthorizationUsedOrCanceled(address authorizer, bytes32 nonce);
    /// @notice The signature is malformed or not `authorizer`'s (no ECDSA match, or its ERC-1271
    /// wallet did not return the magic value).
    error InvalidAuthorizationSignature(address authorizer);
    /// @notice `receiveWithAuthorization` was called by someone other than the payee.
    error CallerNotPayee(address caller, address payee);

    /// @notice Whether `authorizer` has used or canceled `nonce`.
    /// @param authorizer The account that signs authorizations.
    /// @param nonce The authorization's random nonce.
    /// @return True once the nonce is used or canceled.
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool);

    /// @notice Moves `value` from `from` to `to` with `from`'s signed `TransferWithAuthorization`;
    /// anyone may submit it.
    /// @param from Payer, the authorizer.
    /// @param to Payee.
    /// @param value Amount in base units.
    /// @param validAfter Unix time after which the authorization is valid (exclusive).
    /// @param validBefore Unix time before which the authorization is valid (exclusive).
    /// @param nonce Random nonce, unique per authorizer.
    /// @param v Signature v (27 or 28).
    /// @param r Signature r.
    /// @param s Signature s (lower half order).
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice As the v, r, s form, with the signature as bytes: 65 bytes `r ‖ s ‖ v` from an EOA,
    /// or whatever `from`'s ERC-1271 wallet accepts.
    /// @param from Payer, the authorizer.
    /// @param to Payee.
    /// @param value Amount in base units.
    /// @param validAfter Unix time after which the authorization is valid (exclusive).
    /// @param validBefore Unix time before which the authorization is valid (exclusive).
    /// @param nonce Random nonce, unique per authorizer.
    /// @param signature The signature.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;

    /// @notice Moves `value` from `from` to `to` with `from`'s signed `ReceiveWithAuthorization`;
    /// only `to` may submit it, so a contract payee cannot be front-run out of its own call.
    /// @param from Payer, the authorizer.
    /// @param to Payee, who must be the caller.
    /// @param value Amount in base units.
    /// @param validAfter Unix time after which the authorization is valid (exclusive).
    /// @param validBefore Unix time before which the authorization is valid (exclusive).
    /// @param nonce Random nonce, unique per authorizer.
    /// @param v Signature v (27 or 28).
    /// @param r Signature r.
    /// @param s Signature s (lower half order).
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice As the v, r, s form, with the signature as bytes (EOA or ERC-1271 wallet).
    /// @param from Payer, the authorizer.
    /// @param to Payee, who must be the caller.
    /// @param value Amount in base units.
    /// @param validAfter Unix time after which the authorization is valid (exclusive).
    /// @param validBefore Unix time before which the authorization is valid (exclusive).
    /// @param nonce Random nonce, unique per authorizer.
    /// @param signature The signature.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;

    /// @notice Spends `authorizer`'s unused `nonce` without moving tokens, with its signed
    /// `CancelAuthorization`; anyone may submit it. No validity window applies.
    /// @param authorizer The account whose nonce is canceled.
    /// @param nonce The nonce to cancel.
    /// @param v Signature v (27 or 28).
    /// @param r Signature r.
    /// @param s Signature s (lower half order).
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice As the v, r, s form, with the signature as bytes (EOA or ERC-1271 wallet).
    /// @param authorizer The account whose nonce is canceled.
    /// @param nonce The nonce to cancel.
    /// @param signature The signature.
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes calldata signature) external;
}
