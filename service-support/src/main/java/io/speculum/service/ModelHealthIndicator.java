package io.speculum.service;

import java.util.List;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Up while every served model is loaded; the details carry each model's metadata and vocabulary fingerprint. */
public final class ModelHealthIndicator implements HealthIndicator {

    private final List<ServedModel> models;

    public ModelHealthIndicator(List<ServedModel> models) {
        this.models = List.copyOf(models);
    }

    @Override
    public Health health() {
        Health.Builder health = models.stream().allMatch(ServedModel::isOpen) ? Health.up() : Health.down();
        for (ServedModel model : models) {
            health.withDetail(model.role(), model.isOpen() ? model.describe() : "closed");
        }
        return health.build();
    }
}
