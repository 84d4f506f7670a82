package com.cloudgreet.relay.gateway.console.operator;

import java.time.Duration;

import com.cloudgreet.relay.gateway.config.GatewayProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The operator console's settings, bound from {@code relay.console.operator.*}; defaults in
 * {@code application.yml}.
 *
 * @param sessionTtl how long an operator session lasts after the login
 * @param loginAttempts per client IP, operator logins tried (right or wrong): past it the login answers 429
 * @param kafkaTimeout time limit of the consumer-lag page's Kafka queries
 */
@Validated
@ConfigurationProperties("relay.console.operator")
public record OperatorProperties(@NotNull Duration sessionTtl, @Valid @NotNull GatewayProperties.Rate loginAttempts,
		@NotNull Duration kafkaTimeout) {
}
