package io.speculum.gateway.web;

import io.speculum.gateway.detection.DetectBody;
import io.speculum.gateway.detection.DetectResponse;
import io.speculum.gateway.detection.DetectionService;
import io.speculum.gateway.openai.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** {@code POST /v1/detect}: AI-text detection by the detector-service over Kafka (docs/detection.md). */
@RestController
@SecurityRequirement(name = "bearer")
class DetectController {

    private final ApiKeyRateLimits rateLimits;
    private final DetectionService detections;

    DetectController(ApiKeyRateLimits rateLimits, DetectionService detections) {
        this.rateLimits = rateLimits;
        this.detections = detections;
    }

    @PostMapping("/v1/detect")
    @Operation(summary = "Scores texts for machine generation: scores per method, a calibrated probability and label, "
            + "and with tokens: true the per-token evidence and the highest-scoring spans",
            responses = {
                @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
                        schema = @Schema(implementation = DetectResponse.class))),
                @ApiResponse(responseCode = "4XX", content = @Content(schema = @Schema(implementation = ApiException.ErrorBody.class))),
                @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ApiException.ErrorBody.class)))})
    Mono<DetectResponse> detect(@RequestBody DetectBody body, ServerWebExchange exchange) {
        return Mono.defer(() -> {
            rateLimits.charge(ApiKeyFilter.keyId(exchange));
            return detections.detect(body);
        });
    }
}
