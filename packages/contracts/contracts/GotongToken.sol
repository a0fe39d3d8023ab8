// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IERC3009} from "./interfaces/IERC3009.sol";

/// @title GotongToken
/// @notice A 6-decimal ERC-20 with EIP-2612 permit and EIP-3009 transfers with authorization, used
/// to pay for tool calls on devnets and testnets. The owner can mint, so it is a test token, not a
/// stablecoin.
/// @dev The EIP-712 domain is `{ name: <token name>, version: "1", chainId, verifyingContract }`,
/// shared by permit and EIP-3009. EIP-3009 follows USDC (FiatToken v2.2): both signature forms,
/// ERC-1271 signers through either, strict validity window, random nonces; so x402's `exact` EVM
/// scheme pays in this token with `extra: { name: <token name>, version: "1" }`.
contract GotongToken is ERC20, ERC20Permit, Ownable, IERC3009 {
    /// @notice EIP-712 type hash of `TransferWithAuthorization`.
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );

    /// @notice EIP-712 type hash of `ReceiveWithAuthorization`.
    bytes32 public constant RECEIVE_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );

    /// @notice EIP-712 type hash of `CancelAuthorization`.
    bytes32 public constant CANCEL_AUTHORIZATION_TYPEHASH =
        keccak256("CancelAuthorization(address authorizer,bytes32 nonce)");

    mapping(address authorizer => mapping(bytes32 nonce => bool spent)) private _authorizationStates;

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

    /// @notice The EIP-712 domain version, "1", as USDC's `version()` reports its own ("2"), so
    /// EIP-3009 clients can read the domain as they do from USDC.
    /// @return The domain version.
    function version() external view returns (string memory) {
        return _EIP712Version();
    }

    /// @inheritdoc IERC3009
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool) {
        return _authorizationStates[authorizer][nonce];
    }

    /// @inheritdoc IERC3009
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
    ) external {
        bytes32 digest = _checkAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce
        );
        _checkSignature(from, digest, v, r, s);
        _useAuthorization(from, nonce);
        _transfer(from, to, value);
    }

    /// @inheritdoc IERC3009
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external {
        bytes32 digest = _checkAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce
        );
        _checkSignature(from, digest, signature);
        _useAuthorization(from, nonce);
        _transfer(from, to, value);
    }

    /// @inheritdoc IERC3009
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
    ) external {
        if (msg.sender != to) revert CallerNotPayee(msg.sender, to);
        bytes32 digest =
            _checkAuthorization(RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce);
        _checkSignature(from, digest, v, r, s);
        _useAuthorization(from, nonce);
        _transfer(from, to, value);
    }

    /// @inheritdoc IERC3009
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external {
        if (msg.sender != to) revert CallerNotPayee(msg.sender, to);
        bytes32 digest =
            _checkAuthorization(RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce);
        _checkSignature(from, digest, signature);
        _useAuthorization(from, nonce);
        _transfer(from, to, value);
    }

    /// @inheritdoc IERC3009
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external {
        _checkSignature(authorizer, _checkCancellation(authorizer, nonce), v, r, s);
        _cancelAuthorization(authorizer, nonce);
    }

    /// @inheritdoc IERC3009
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes calldata signature) external {
        _checkSignature(authorizer, _checkCancellation(authorizer, nonce), signature);
        _cancelAuthorization(authorizer, nonce);
    }

    /// Checks the window and the nonce (in USDC's order: not yet valid, expired, used) and returns
    /// the digest `from` must have signed.
    function _checkAuthorization(
        bytes32 typeHash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce
    ) private view returns (bytes32) {
        if (block.timestamp <= validAfter) revert AuthorizationNotYetValid(validAfter);
        if (block.timestamp >= validBefore) revert AuthorizationExpired(validBefore);
        _requireUnused(from, nonce);
        return _hashTypedDataV4(keccak256(abi.encode(typeHash, from, to, value, validAfter, validBefore, nonce)));
    }

    /// Checks the nonce is unused and returns the digest of its cancellation.
    function _checkCancellation(address authorizer, bytes32 nonce) private view returns (bytes32) {
        _requireUnused(authorizer, nonce);
        return _hashTypedDataV4(keccak256(abi.encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce)));
    }

    function _requireUnused(address authorizer, bytes32 nonce) private view {
        if (_authorizationStates[authorizer][nonce]) revert AuthorizationUsedOrCanceled(authorizer, nonce);
    }

    /// An EOA's v, r, s is recovered as is; a contract gets `r ‖ s ‖ v` through ERC-1271, as USDC
    /// does, because x402's facilitator sends every 65-byte signature in this form, a smart
    /// wallet's included.
    function _checkSignature(address signer, bytes32 digest, uint8 v, bytes32 r, bytes32 s) private view {
        bool valid;
        if (signer.code.length == 0) {
            (address recovered, ECDSA.RecoverError recoverError,) = ECDSA.tryRecover(digest, v, r, s);
            valid = recoverError == ECDSA.RecoverError.NoError && recovered == signer;
        } else {
            valid = SignatureChecker.isValidERC1271SignatureNow(signer, digest, abi.encodePacked(r, s, v));
        }
        if (!valid) revert InvalidAuthorizationSignature(signer);
    }

    function _checkSignature(address signer, bytes32 digest, bytes calldata signature) private view {
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, digest, signature)) {
            revert InvalidAuthorizationSignature(signer);
        }
    }

    function _useAuthorization(address authorizer, bytes32 nonce) private {
        _authorizationStates[authorizer][nonce] = true;
        emit AuthorizationUsed(authorizer, nonce);
    }

    function _cancelAuthorization(address authorizer, bytes32 nonce) private {
        _authorizationStates[authorizer][nonce] = true;
        emit AuthorizationCanceled(authorizer, nonce);
    }
}
