// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {GotongToken} from "../../../contracts/GotongToken.sol";
import {PaymentChannels} from "../../../contracts/PaymentChannels.sol";
import {ReceiptFeedbackGateway} from "../../../contracts/ReceiptFeedbackGateway.sol";
import {ToolDirectory} from "../../../contracts/ToolDirectory.sol";
import {IPaymentChannels} from "../../../contracts/interfaces/IPaymentChannels.sol";
import {IReceiptFeedbackGateway} from "../../../contracts/interfaces/IReceiptFeedbackGateway.sol";
import {Erc8004Fixture} from "./Erc8004Fixture.sol";

/// A gotong deployment with the ERC-8004 registries and the gateway, and receipts and
/// agreements built from core's EIP-712 type texts (not read from the gateway).
abstract contract GatewayFixture is Erc8004Fixture {
    bytes32 constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(bytes32 termsHash,bytes32 channelId,uint64 calls,uint256 cumulativeAmount,bytes32 requestHash,bytes32 responseHash,uint64 servedAt)"
    );
    bytes32 constant AGREEMENT_TYPEHASH = keccak256(
        "Agreement(address consumer,address provider,address registry,uint256 toolId,bytes32 manifestHash,address token,uint256 pricePerCall,uint64 maxCalls,uint64 validUntil,uint32 p95LatencyMs,uint32 callsPerMinute,bytes32 nonce)"
    );
    uint256 constant PRICE = 10_000; // 0.01 gUSD a call

    GotongToken token;
    PaymentChannels channels;
    address toolRegistry;
    ReceiptFeedbackGateway gateway;
    address tokenOwner = makeAddr("token owner");
    uint256 salts;

    function deployGateway() internal {
        deployRegistries();
        token = new GotongToken("Gotong USD", "gUSD", tokenOwner);
        channels = new PaymentChannels();
        toolRegistry = address(new ToolDirectory());
        gateway = new ReceiptFeedbackGateway(identity, reputation, channels, address(token), toolRegistry);
    }

    function fund(address who, uint256 amount) internal {
        vm.prank(tokenOwner);
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(channels), type(uint256).max);
    }

    function openChannel(address payer, address payee, uint256 deposit)
        internal
        returns (IPaymentChannels.ChannelKey memory key)
    {
        key = IPaymentChannels.ChannelKey({
            payer: payer,
            payee: payee,
            token: address(token),
            challengePeriod: 1 hours,
            salt: keccak256(abi.encode("salt", ++salts))
        });
        vm.prank(payer);
        channels.open(key, deposit);
    }

    function agreementOf(IPaymentChannels.ChannelKey memory key, uint256 toolId)
        internal
        view
        returns (IReceiptFeedbackGateway.Agreement memory)
    {
        return IReceiptFeedbackGateway.Agreement({
            consumer: key.payer,
            provider: key.payee,
            registry: toolRegistry,
            toolId: toolId,
            manifestHash: keccak256(abi.encode("manifest", toolId)),
            token: key.token,
            pricePerCall: PRICE,
            maxCalls: 1_000,
            validUntil: uint64(block.timestamp + 1 days),
            p95LatencyMs: 500,
            callsPerMinute: 60,
            nonce: keccak256(abi.encode("nonce", key.salt))
        });
    }

    function gotongDomain() internal view returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256("gotong"), keccak256("1"), block.chainid, address(channels))
            );
    }

    function termsHashOf(IReceiptFeedbackGateway.Agreement memory a) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            bytes.concat(
                abi.encode(AGREEMENT_TYPEHASH, a.consumer, a.provider, a.registry, a.toolId, a.manifestHash, a.token),
                abi.encode(a.pricePerCall, a.maxCalls, a.validUntil, a.p95LatencyMs, a.callsPerMinute, a.nonce)
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", gotongDomain(), structHash));
    }

    /// The receipt of call number `calls`, which brought the channel's total to `cumulativeAmount`.
    function receiptOf(
        IPaymentChannels.ChannelKey memory key,
        IReceiptFeedbackGateway.Agreement memory a,
        uint64 calls,
        uint256 cumulativeAmount
    ) internal view returns (IReceiptFeedbackGateway.Receipt memory) {
        return IReceiptFeedbackGateway.Receipt({
            termsHash: termsHashOf(a),
            channelId: channels.channelIdOf(key),
            calls: calls,
            cumulativeAmount: cumulativeAmount,
            requestHash: keccak256(abi.encode("request", calls)),
            responseHash: keccak256(abi.encode("response", calls)),
            servedAt: uint64(block.timestamp)
        });
    }

    function receiptDigest(IReceiptFeedbackGateway.Receipt memory r) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                RECEIPT_TYPEHASH,
                r.termsHash,
                r.channelId,
                r.calls,
                r.cumulativeAmount,
                r.requestHash,
                r.responseHash,
                r.servedAt
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", gotongDomain(), structHash));
    }

    function signReceipt(uint256 signerKey, IReceiptFeedbackGateway.Receipt memory r)
        internal
        view
        returns (bytes memory)
    {
        return signDigest(signerKey, receiptDigest(r));
    }

    /// The payer's voucher for `amount` over `calls` calls, as PaymentChannels checks it.
    function signVoucher(uint256 payerKey, bytes32 channelId, uint256 amount, uint64 calls, bytes32 termsHash)
        internal
        view
        returns (bytes memory)
    {
        bytes32 typeHash = keccak256(
            "Voucher(bytes32 channelId,uint256 cumulativeAmount,uint64 calls,bytes32 termsHash,bytes32 envelopeHash)"
        );
        // A zero envelope hash: what a close or claim made without a request signs.
        bytes32 structHash = keccak256(abi.encode(typeHash, channelId, amount, calls, termsHash, bytes32(0)));
        return signDigest(payerKey, keccak256(abi.encodePacked("\x19\x01", gotongDomain(), structHash)));
    }

    function feedbackOf(int128 value) internal pure returns (IReceiptFeedbackGateway.Feedback memory) {
        return IReceiptFeedbackGateway.Feedback({
            value: value, valueDecimals: 0, endpoint: "https://agent.example/", feedbackURI: "", feedbackHash: 0
        });
    }
}
