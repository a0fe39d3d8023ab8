// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ProviderStake} from "../../../contracts/ProviderStake.sol";
import {IPaymentChannels} from "../../../contracts/interfaces/IPaymentChannels.sol";
import {IReceiptFeedbackGateway} from "../../../contracts/interfaces/IReceiptFeedbackGateway.sol";
import {GatewayFixture} from "./GatewayFixture.sol";

/// A gotong deployment with ProviderStake, and equivocating receipt pairs signed by a provider:
/// one request under one agreement, answered two ways.
abstract contract StakeFixture is GatewayFixture {
    uint64 constant DELAY = 7 days;
    uint256 constant TOOL = 7;

    ProviderStake public stakes;

    function deployStake() internal {
        deployGateway();
        stakes = new ProviderStake(token, address(channels), DELAY);
    }

    /// Mints `amount` to `provider` and bonds it behind `toolId`.
    function stakeAs(address provider, uint256 toolId, uint256 amount) internal {
        vm.prank(tokenOwner);
        token.mint(provider, amount);
        vm.startPrank(provider);
        token.approve(address(stakes), amount);
        stakes.stake(toolId, amount);
        vm.stopPrank();
    }

    /// The agreement of a fresh channel from `consumer` to `provider` for `toolId`.
    function agreementFor(address consumer, address provider, uint256 toolId)
        internal
        returns (IReceiptFeedbackGateway.Agreement memory)
    {
        IPaymentChannels.ChannelKey memory key = IPaymentChannels.ChannelKey({
            payer: consumer,
            payee: provider,
            token: address(token),
            challengePeriod: 1 hours,
            salt: keccak256(abi.encode("salt", ++salts))
        });
        return agreementOf(key, toolId);
    }

    /// Call number `calls` of `request` under `a`, answered with `response`.
    function answer(IReceiptFeedbackGateway.Agreement memory a, uint64 calls, bytes32 request, bytes32 response)
        internal
        view
        returns (IReceiptFeedbackGateway.Receipt memory)
    {
        return IReceiptFeedbackGateway.Receipt({
            termsHash: termsHashOf(a),
            channelId: keccak256(abi.encode("channel", a.nonce)),
            calls: calls,
            cumulativeAmount: calls * PRICE,
            requestHash: request,
            responseHash: response,
            servedAt: uint64(block.timestamp)
        });
    }
}
