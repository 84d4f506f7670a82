package com.cloudgreet.relay.common.kafka;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Names the Kafka cluster in send and receive observations (traces) by its bootstrap servers.
 * Left alone, spring-kafka asks the broker for the cluster id on the first observed send, through
 * an admin client with a 30 s timeout, on the sending thread, and again on every send while the
 * broker is away: a request that should get a fast 503 would hang instead.
 */
public final class KafkaClusterIdWithoutLookup implements BeanPostProcessor {

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof KafkaAdmin admin && admin.getClusterId() == null) {
			Object servers = admin.getConfigurationProperties().get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
			admin.setClusterId(String.valueOf(servers));
		}
		return bean;
	}

}
