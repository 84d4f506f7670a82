package com.cloudgreet.relay.notification.sender;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code relay.senders.*}. Kept out of {@code NotificationProperties} only so this feature merges
 * without touching that record's constructor; fold it in when convenient.
 *
 * @param cacheTtl how long a tenant's sender allowlist is cached
 */
@Validated
@ConfigurationProperties("relay.senders")
public record SenderProperties(@NotNull Duration cacheTtl) {
}
