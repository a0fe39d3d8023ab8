// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {GotongToken} from "../../../contracts/GotongToken.sol";
import {Auth, Authorizations} from "../utils/Authorizations.sol";

/// Drives random mints, signed transfers, receives and cancellations among three holders, with
/// nonces from a small space so replays and uses of canceled nonces happen often, and some
/// signatures by the wrong key. Counts anything that should not happen.
contract GotongToken3009Handler is Authorizations {
    uint256 constant ACTORS = 3;

    GotongToken public immutable token;
    address public immutable owner;
    address[ACTORS] public actors;
    uint256[ACTORS] keys;

    uint256 public ghostMinted;
    /// Every (authorizer, nonce) that moved tokens or was canceled, in order.
    address[] public spentBy;
    bytes32[] public spentNonce;
    mapping(address authorizer => mapping(bytes32 nonce => bool)) ghostSpent;
    /// A spent nonce or a forged signature that moved tokens, a receive by someone other than
    /// the payee, or a good authorization that was refused.
    uint256 public violations;
    uint256 public succeeded;

    constructor(GotongToken token_, address owner_) {
        token = token_;
        owner = owner_;
        for (uint256 i; i < ACTORS; i++) {
            (actors[i], keys[i]) = makeAddrAndKey(string.concat("holder", vm.toString(i)));
        }
    }

    function spentCount() external view returns (uint256) {
        return spentBy.length;
    }

    function mint(uint256 who, uint256 amount) external {
        amount = bound(amount, 0, 1e18);
        vm.prank(owner);
        token.mint(actors[who % ACTORS], amount);
        ghostMinted += amount;
    }

    function transfer(uint256 from, uint256 to, uint256 amount, uint8 nonce, bool bytesForm, bool forged) external {
        Auth memory a = _auth(from, to, amount, nonce);
        bytes memory sig = signed(keys[(from % ACTORS + (forged ? 1 : 0)) % ACTORS], digestOf(token, TRANSFER, a));
        _record(a, forged, false, _transfer(a, sig, bytesForm));
    }

    function receive_(uint256 from, uint256 to, uint256 amount, uint8 nonce, bool byPayee) external {
        Auth memory a = _auth(from, to, amount, nonce);
        bytes memory sig = signed(keys[from % ACTORS], digestOf(token, RECEIVE, a));
        bool ok;
        vm.prank(byPayee ? a.to : actors[(to % ACTORS + 1) % ACTORS]);
        try token.receiveWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig) {
            ok = true;
        } catch {}
        _record(a, false, !byPayee, ok);
    }

    function cancel(uint256 who, uint8 nonce, bool forged) external {
        address authorizer = actors[who % ACTORS];
        bytes32 n = bytes32(uint256(nonce));
        bytes memory sig =
            signed(keys[(who % ACTORS + (forged ? 1 : 0)) % ACTORS], cancelDigestOf(token, authorizer, n));
        bool wasSpent = ghostSpent[authorizer][n];
        bool ok;
        try token.cancelAuthorization(authorizer, n, sig) {
            ok = true;
        } catch {}
        if (ok ? wasSpent || forged : !wasSpent && !forged) violations++;
        if (ok) _spend(authorizer, n);
    }

    function _auth(uint256 from, uint256 to, uint256 amount, uint8 nonce) private view returns (Auth memory a) {
        a.from = actors[from % ACTORS];
        a.to = actors[to % ACTORS];
        // Sometimes more than the balance, which must fail and leave the nonce unused.
        a.value = bound(amount, 0, token.balanceOf(a.from) + 10);
        a.validAfter = block.timestamp - 1;
        a.validBefore = block.timestamp + 1;
        a.nonce = bytes32(uint256(nonce));
    }

    function _transfer(Auth memory a, bytes memory sig, bool bytesForm) private returns (bool) {
        if (bytesForm) {
            try token.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig) {
                return true;
            } catch {
                return false;
            }
        }
        (uint8 v, bytes32 r, bytes32 s) = ECDSA.parse(sig);
        try token.transferWithAuthorization(a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, v, r, s) {
            return true;
        } catch {
            return false;
        }
    }

    /// Judges one attempt: it must succeed exactly when it is unspent, honest and affordable.
    function _record(Auth memory a, bool forged, bool wrongCaller, bool ok) private {
        bool shouldPass = !ghostSpent[a.from][a.nonce] && !forged && !wrongCaller;
        // The balance is read after the attempt: a success moved `value` out already.
        if (ok && !shouldPass) violations++;
        if (!ok && shouldPass && a.value <= token.balanceOf(a.from)) violations++;
        if (ok) {
            succeeded++;
            _spend(a.from, a.nonce);
        }
    }

    function _spend(address authorizer, bytes32 nonce) private {
        ghostSpent[authorizer][nonce] = true;
        spentBy.push(authorizer);
        spentNonce.push(nonce);
    }
}
