package io.speculum.service;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Up when the broker answers a cluster description within the timeout. A service whose broker is down stays alive
 * (and reports DOWN) rather than failing: Kafka clients reconnect by themselves when it comes back.
 */
public final class KafkaHealthIndicator implements HealthIndicator, DisposableBean {

    private final AdminClient admin;
    private final Object bootstrapServers;
    private final Duration timeout;

    public KafkaHealthIndicator(KafkaAdmin kafkaAdmin, Duration timeout) {
        this.admin = AdminClient.create(kafkaAdmin.getConfigurationProperties());
        this.bootstrapServers = kafkaAdmin.getConfigurationProperties().get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        this.timeout = timeout;
    }

    @Override
    public Health health() {
        try {
            DescribeClusterResult cluster = admin.describeCluster(
                    new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()));
            String clusterId = cluster.clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            int brokers = cluster.nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            return Health.up().withDetail("bootstrapServers", String.valueOf(bootstrapServers))
                    .withDetail("clusterId", clusterId).withDetail("brokers", brokers).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down(e);
        } catch (Exception e) {
            return down(e);
        }
    }

    private Health down(Exception e) {
        return Health.down(e).withDetail("bootstrapServers", String.valueOf(bootstrapServers)).build();
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(1));
    }
}
