// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {GotongToken} from "../../../contracts/GotongToken.sol";
import {PaymentChannels} from "../../../contracts/PaymentChannels.sol";
import {IPaymentChannels} from "../../../contracts/interfaces/IPaymentChannels.sol";

/// Drives random channel lifecycles among four agents that are payers and payees in turn,
/// keeping ghost totals of what went in and out and counting anything that should not happen.
contract PaymentChannelsHandler is Test {
    uint256 constant ACTORS = 4;
    /// What the test mints to each actor before the run.
    uint256 public constant MINTED = 1e15;
    bytes32 constant TERMS = keccak256("terms");
    bytes32 constant ENVELOPE = keccak256("envelope");

    /// What the handler knows about a channel off chain.
    struct Ghost {
        IPaymentChannels.ChannelKey key;
        uint256 payerKey;
        uint256 highestSigned;
        uint64 calls;
        bytes signature;
        uint256 lastClaimed;
        bool closed;
    }

    PaymentChannels public immutable channels;
    GotongToken public immutable token;
    address[ACTORS] public actors;
    uint256[ACTORS] keys;

    bytes32[] public ids;
    mapping(bytes32 channelId => Ghost) ghosts;
    uint256 salts;

    uint256 public ghostDeposited;
    uint256 public ghostPaidToPayees;
    uint256 public ghostRefundedToPayers;
    /// Things that must never happen: a payout after close, a forged voucher or a wrong key
    /// paying, a claim paying other than the voucher's increase, the claimed amount falling, a
    /// key opening twice.
    uint256 public violations;

    constructor(PaymentChannels channels_, GotongToken token_) {
        channels = channels_;
        token = token_;
        for (uint256 i; i < ACTORS; i++) {
            (actors[i], keys[i]) = makeAddrAndKey(string.concat("actor", vm.toString(i)));
            vm.prank(actors[i]);
            token.approve(address(channels), type(uint256).max);
        }
    }

    // ---- views for the invariants ----

    function channelCount() external view returns (uint256) {
        return ids.length;
    }

    function keyOf(bytes32 channelId) external view returns (IPaymentChannels.ChannelKey memory) {
        return ghosts[channelId].key;
    }

    function highestSigned(bytes32 channelId) external view returns (uint256) {
        return ghosts[channelId].highestSigned;
    }

    function lastClaimed(bytes32 channelId) external view returns (uint256) {
        return ghosts[channelId].lastClaimed;
    }

    function totalMinted() external pure returns (uint256) {
        return MINTED * ACTORS;
    }

    // ---- actions ----

    function open(uint256 payerSeed, uint256 payeeSeed, uint256 deposit, uint256 period) external {
        uint256 p = payerSeed % ACTORS;
        uint256 q = (p + 1 + payeeSeed % (ACTORS - 1)) % ACTORS;
        deposit = bound(deposit, 1, 1e12);
        period = bound(period, 1, 7 days);
        IPaymentChannels.ChannelKey memory key = IPaymentChannels.ChannelKey({
            payer: actors[p],
            payee: actors[q],
            token: address(token),
            challengePeriod: uint64(period),
            salt: keccak256(abi.encode(++salts))
        });

        vm.prank(actors[p]);
        bytes32 id = channels.open(key, deposit);
        if (ghosts[id].key.payer != address(0)) violations++; // an id came back
        if (id != channels.channelIdOf(key)) violations++;
        ids.push(id);
        ghosts[id].key = key;
        ghosts[id].payerKey = keys[p];
        ghostDeposited += deposit;
        _checkClaimedNeverFalls();
    }

    /// The payer opens a key again, whatever its channel's state: always ChannelExists.
    function reopen(uint256 seed, uint256 deposit) external {
        (bytes32 id,) = _pick(seed);
        if (id == bytes32(0)) return;
        Ghost storage g = ghosts[id];
        deposit = bound(deposit, 1, 1e12);
        uint256 held = token.balanceOf(address(channels));

        vm.prank(g.key.payer);
        try channels.open(g.key, deposit) {
            violations++;
            ghostDeposited += deposit;
        } catch (bytes memory reason) {
            if (keccak256(reason) != keccak256(abi.encodeWithSelector(IPaymentChannels.ChannelExists.selector, id))) {
                violations++;
            }
        }
        if (token.balanceOf(address(channels)) != held) violations++;
    }

    function topUp(uint256 seed, uint256 amount) external {
        (bytes32 id, IPaymentChannels.Channel memory c) = _pick(seed);
        if (c.status != IPaymentChannels.Status.Open) return;
        amount = bound(amount, 1, 1e12);
        vm.prank(ghosts[id].key.payer);
        channels.topUp(ghosts[id].key, amount);
        ghostDeposited += amount;
        _checkClaimedNeverFalls();
    }

    /// The payer pays for more calls: a new cumulative voucher, never below the last one.
    function signVoucher(uint256 seed, uint256 amount) external {
        (bytes32 id, IPaymentChannels.Channel memory c) = _pick(seed);
        if (c.status == IPaymentChannels.Status.None || c.status == IPaymentChannels.Status.Closed) return;
        Ghost storage g = ghosts[id];
        amount = bound(amount, g.highestSigned, c.deposit);
        g.calls++;
        g.highestSigned = amount;
        g.signature = _sign(g.payerKey, id, amount, g.calls);
    }

    /// The payee claims the newest voucher (or tries to, on a closed channel).
    function claim(uint256 seed) external {
        (bytes32 id,) = _pick(seed);
        Ghost storage g = ghosts[id];
        if (g.signature.length == 0) return;
        uint256 claimedBefore = g.lastClaimed;
        address payee = g.key.payee;
        uint256 before = token.balanceOf(payee);

        vm.prank(payee);
        try channels.claim(g.key, g.highestSigned, g.calls, TERMS, ENVELOPE, g.signature) {
            uint256 paid = token.balanceOf(payee) - before;
            if (g.closed || paid != g.highestSigned - claimedBefore) violations++;
            ghostPaidToPayees += paid;
            g.lastClaimed = g.highestSigned;
        } catch {
            if (token.balanceOf(payee) != before) violations++;
        }
        _checkClaimedNeverFalls();
    }

    /// Someone who is not the payer signs, or the payee presents a voucher for more than signed.
    function claimForged(uint256 seed, uint256 signerSeed, uint256 amount) external {
        (bytes32 id, IPaymentChannels.Channel memory c) = _pick(seed);
        Ghost storage g = ghosts[id];
        if (g.key.payer == address(0)) return;
        uint256 key = keys[signerSeed % ACTORS];
        bool forged = key != g.payerKey;
        amount = bound(amount, 1, c.deposit == 0 ? 1 : c.deposit);
        bytes memory signature = forged ? _sign(key, id, amount, 1) : g.signature;
        if (!forged && amount == g.highestSigned) amount++;
        if (signature.length == 0) return;
        uint256 before = token.balanceOf(g.key.payee);

        vm.prank(g.key.payee);
        try channels.claim(g.key, amount, forged ? 1 : g.calls, TERMS, ENVELOPE, signature) {
            violations++;
        } catch {}
        if (token.balanceOf(g.key.payee) != before) violations++;
    }

    /// The newest voucher presented with a key that differs in one field (0 payer, 1 payee,
    /// 2 token, 3 challengePeriod, 4 salt), by whoever that key names as payee or payer.
    function actWithWrongKey(uint256 seed, uint256 field, bytes32 value, bool close) external {
        (bytes32 id,) = _pick(seed);
        Ghost storage g = ghosts[id];
        if (g.signature.length == 0) return;
        IPaymentChannels.ChannelKey memory wrong = g.key;
        field %= 5;
        address actor = actors[uint256(value) % ACTORS];
        if (field == 0) wrong.payer = actor;
        else if (field == 1) wrong.payee = actor;
        else if (field == 2) wrong.token = address(uint160(uint256(value)));
        else if (field == 3) wrong.challengePeriod = uint64(bound(uint256(value), 1, 7 days));
        else wrong.salt = value;
        if (channels.channelIdOf(wrong) == id) return;
        uint256 held = token.balanceOf(address(channels));

        if (close) {
            vm.prank(wrong.payer);
            try channels.startClose(wrong) {
                violations++;
            } catch {}
            try channels.finalize(wrong) {
                violations++;
            } catch {}
        } else {
            vm.prank(wrong.payee);
            try channels.claim(wrong, g.highestSigned, g.calls, TERMS, ENVELOPE, g.signature) {
                violations++;
            } catch {}
            vm.prank(wrong.payee);
            try channels.cooperativeClose(wrong, g.highestSigned, g.calls, TERMS, ENVELOPE, g.signature) {
                violations++;
            } catch {}
        }
        if (token.balanceOf(address(channels)) != held) violations++;
    }

    function startClose(uint256 seed) external {
        (bytes32 id, IPaymentChannels.Channel memory c) = _pick(seed);
        if (c.status != IPaymentChannels.Status.Open) return;
        vm.prank(ghosts[id].key.payer);
        channels.startClose(ghosts[id].key);
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 3 days));
    }

    function finalize(uint256 seed) external {
        (bytes32 id, IPaymentChannels.Channel memory c) = _pick(seed);
        Ghost storage g = ghosts[id];
        if (g.key.payer == address(0)) return;
        uint256 before = token.balanceOf(g.key.payer);
        bool due = c.status == IPaymentChannels.Status.Closing && block.timestamp >= c.closesAt;

        try channels.finalize(g.key) {
            uint256 refund = token.balanceOf(g.key.payer) - before;
            if (!due || refund != c.deposit - c.claimed) violations++;
            ghostRefundedToPayers += refund;
            g.closed = true;
        } catch {
            if (due) violations++;
        }
        _checkClaimedNeverFalls();
    }

    function cooperativeClose(uint256 seed, uint256 amount) external {
        (bytes32 id, IPaymentChannels.Channel memory c) = _pick(seed);
        if (c.status != IPaymentChannels.Status.Open && c.status != IPaymentChannels.Status.Closing) return;
        Ghost storage g = ghosts[id];
        amount = bound(amount, g.highestSigned > c.claimed ? g.highestSigned : c.claimed, c.deposit);
        g.calls++;
        g.highestSigned = amount;
        g.signature = _sign(g.payerKey, id, amount, g.calls);
        uint256 payeeBefore = token.balanceOf(g.key.payee);
        uint256 payerBefore = token.balanceOf(g.key.payer);

        vm.prank(g.key.payee);
        channels.cooperativeClose(g.key, amount, g.calls, TERMS, ENVELOPE, g.signature);
        uint256 paid = token.balanceOf(g.key.payee) - payeeBefore;
        uint256 refund = token.balanceOf(g.key.payer) - payerBefore;
        if (paid != amount - c.claimed || refund != c.deposit - amount) violations++;
        ghostPaidToPayees += paid;
        ghostRefundedToPayers += refund;
        g.lastClaimed = amount;
        g.closed = true;
        _checkClaimedNeverFalls();
    }

    // ---- helpers ----

    function _pick(uint256 seed) internal view returns (bytes32 id, IPaymentChannels.Channel memory c) {
        if (ids.length == 0) return (bytes32(0), c);
        id = ids[seed % ids.length];
        c = channels.getChannel(id);
    }

    function _sign(uint256 key, bytes32 id, uint256 amount, uint64 calls) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, channels.hashVoucher(id, amount, calls, TERMS, ENVELOPE));
        return abi.encodePacked(r, s, v);
    }

    /// Live channels never report less claimed than the handler saw paid.
    function _checkClaimedNeverFalls() internal {
        for (uint256 i; i < ids.length; i++) {
            Ghost storage g = ghosts[ids[i]];
            if (!g.closed && channels.getChannel(ids[i]).claimed != g.lastClaimed) violations++;
        }
    }
}
