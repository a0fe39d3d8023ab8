// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {GotongToken} from "../../../contracts/GotongToken.sol";

/// One EIP-3009 authorization's fields, as an x402 payload carries them.
struct Auth {
    address from;
    address to;
    uint256 value;
    uint256 validAfter;
    uint256 validBefore;
    bytes32 nonce;
}

/// Builds and signs EIP-3009 typed data from the EIP's own texts (not from the token), and
/// submits it to a token in either signature form.
abstract contract Authorizations is Test {
    bytes32 constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    // The hex values EIP-3009 lists.
    bytes32 constant TRANSFER = 0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267;
    bytes32 constant RECEIVE = 0xd099cc98ef71107a616c4f0f941f04c322d8e254fe26b3c6668db87aae413de8;
    bytes32 constant CANCEL = 0x158b0a9edf7a828aad02f63cd515c68ef2f50ba807396f6d12842833a1597429;

    function domainOf(GotongToken token_) internal view returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256("Gotong USD"), keccak256("1"), block.chainid, address(token_))
            );
    }

    function digestOf(GotongToken token_, bytes32 typeHash, Auth memory a) internal view returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(typeHash, a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce));
        return keccak256(abi.encodePacked("\x19\x01", domainOf(token_), structHash));
    }

    function cancelDigestOf(GotongToken token_, address authorizer, bytes32 nonce) internal view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(CANCEL, authorizer, nonce));
        return keccak256(abi.encodePacked("\x19\x01", domainOf(token_), structHash));
    }

    /// `r ‖ s ‖ v`, the 65 bytes an EOA's eth_signTypedData_v4 returns.
    function packed(uint8 v, bytes32 r, bytes32 s) internal pure returns (bytes memory) {
        return abi.encodePacked(r, s, v);
    }

    function signed(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return packed(v, r, s);
    }

    function transferVrs(GotongToken token_, Auth memory a, bytes memory sig) internal {
        (uint8 v, bytes32 r, bytes32 s) = ECDSA.parse(sig);
        token_.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, v, r, s);
    }

    function transferBytes(GotongToken token_, Auth memory a, bytes memory sig) internal {
        token_.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig);
    }

    /// Either form, as a fuzzed flag picks.
    function transferEither(GotongToken token_, Auth memory a, bytes memory sig, bool bytesForm) internal {
        if (bytesForm) transferBytes(token_, a, sig);
        else transferVrs(token_, a, sig);
    }

    function receiveVrs(GotongToken token_, Auth memory a, bytes memory sig) internal {
        (uint8 v, bytes32 r, bytes32 s) = ECDSA.parse(sig);
        token_.receiveWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, v, r, s);
    }

    function receiveBytes(GotongToken token_, Auth memory a, bytes memory sig) internal {
        token_.receiveWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig);
    }

    function cancelVrs(GotongToken token_, address authorizer, bytes32 nonce, bytes memory sig) internal {
        (uint8 v, bytes32 r, bytes32 s) = ECDSA.parse(sig);
        token_.cancelAuthorization(authorizer, nonce, v, r, s);
    }
}

/// A one-owner smart wallet: accepts its owner's ECDSA signature of the digest, given raw (65
/// bytes) or wrapped as `abi.encode(ownerIndex, signature)` the way Coinbase Smart Wallet wraps
/// its owners' signatures, so it also takes signatures longer than 65 bytes.
contract OwnerWallet is IERC1271 {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        bytes memory ecdsa = signature;
        if (signature.length != 65) (, ecdsa) = abi.decode(signature, (uint256, bytes));
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, ecdsa);
        return err == ECDSA.RecoverError.NoError && recovered == owner ? this.isValidSignature.selector : bytes4(0);
    }
}

/// A wallet that answers every signature with a value other than ERC-1271's magic one.
contract WrongMagicWallet is IERC1271 {
    function isValidSignature(bytes32, bytes calldata) external pure returns (bytes4) {
        return 0x1626ba7f;
    }
}

/// A wallet whose `isValidSignature` always reverts.
contract RevertingWallet is IERC1271 {
    function isValidSignature(bytes32, bytes calldata) external pure returns (bytes4) {
        revert("refused");
    }
}
