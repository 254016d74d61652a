package io.oneloop.cluster;

import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;

import java.util.List;
import java.util.Map;

/**
 * The cluster manager a launcher finds when it clusters Vert.x by itself (the stock
 * {@code vertx run ... -cluster}): it refuses to join, pointing to {@code cluster.enabled}, the
 * one way oneloop clusters. Registered as a Vert.x service provider in the jar, it never takes
 * the place of a cluster manager given to the builder, and a Vert.x that is not clustered never
 * uses it.
 */
public final class LauncherClusterRefusal implements ClusterManager {

  static final String MESSAGE = "oneloop clusters only through its config: set cluster.enabled to true "
    + "(or ONELOOP_CLUSTER_ENABLED=true), with cluster.host, cluster.port and cluster.members, and start it "
    + "without the launcher's -cluster option";

  private static VertxException refusal() {
    return new VertxException(MESSAGE, true);
  }

  @Override
  public void init(Vertx vertx) {
  }

  @Override
  public void join(Completable<Void> promise) {
    promise.fail(refusal());
  }

  @Override
  public void leave(Completable<Void> promise) {
    promise.succeed();
  }

  @Override
  public boolean isActive() {
    return false;
  }

  @Override
  public <K, V> void getAsyncMap(String name, Completable<AsyncMap<K, V>> promise) {
    promise.fail(refusal());
  }

  @Override
  public <K, V> Map<K, V> getSyncMap(String name) {
    throw refusal();
  }

  @Override
  public void getLockWithTimeout(String name, long timeout, Completable<Lock> promise) {
    promise.fail(refusal());
  }

  @Override
  public void getCounter(String name, Completable<Counter> promise) {
    promise.fail(refusal());
  }

  @Override
  public String getNodeId() {
    return null;
  }

  @Override
  public List<String> getNodes() {
    return List.of();
  }

  @Override
  public void nodeListener(NodeListener listener) {
  }

  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    promise.fail(refusal());
  }

  @Override
  public NodeInfo getNodeInfo() {
    return null;
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    promise.fail(refusal());
  }

  @Override
  public void registrationListener(RegistrationListener registrationListener) {
  }

  @Override
  public void addRegistration(String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    promise.fail(refusal());
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    promise.fail(refusal());
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    promise.fail(refusal());
  }
}
