using System.Text.Json.Nodes;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers.Fake;

/// <summary>
/// Ironic's <c>fake-hardware</c>: every action succeeds after its configured delay and touches nothing. The
/// power state is remembered on the node, the boot device in driver_internal_info.
/// </summary>
public static class FakeHardware
{
    public const string Name = "fake-hardware";

    public static HardwareType Create(FakeOptions options, TimeProvider time) => new()
    {
        Name = Name,
        Power = new FakePower(options, time),
        Management = new FakeManagement(options, time),
        Boot = new FakeBoot(),
        Deploy = new FakeDeploy(options, time),
        Inspect = new FakeInspect(options, time),
        Bios = new NoopInterface("fake"),
        Console = new NoopInterface("fake"),
        Network = new NoopInterface("noop"),
        Raid = new NoopInterface("fake"),
        Rescue = new NoopInterface("fake"),
        Storage = new NoopInterface("noop"),
        Vendor = new NoopInterface("fake"),
    };

    private static Task Delay(TimeSpan delay, TimeProvider time, CancellationToken ct) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, time, ct) : Task.CompletedTask;

    private sealed class FakePower(FakeOptions options, TimeProvider time) : IPowerInterface
    {
        public string Name => "fake";
        public ValidationResult Validate(Node node) => ValidationResult.Ok;

        // Fake power reports what the node last recorded: null until the first power action, as in Ironic.
        public Task<string?> GetPowerStateAsync(Node node, CancellationToken ct) => Task.FromResult(node.PowerState);

        public Task SetPowerStateAsync(Node node, string target, TimeSpan? timeout, CancellationToken ct) =>
            Delay(options.PowerDelay, time, ct);
    }

    private sealed class FakeManagement(FakeOptions options, TimeProvider time) : IManagementInterface
    {
        private const string DeviceKey = "fake_boot_device";
        private const string PersistentKey = "fake_boot_device_persistent";

        public string Name => "fake";
        public ValidationResult Validate(Node node) => ValidationResult.Ok;

        // Ironic's fake management supports PXE only.
        public IReadOnlyList<string> SupportedBootDevices(Node node) => ["pxe"];

        public Task<BootDeviceInfo> GetBootDeviceAsync(Node node, CancellationToken ct)
        {
            var device = node.DriverInternalInfo[DeviceKey]?.GetValue<string>();
            var persistent = device is null ? (bool?)null : node.DriverInternalInfo[PersistentKey]?.GetValue<bool>() ?? false;
            return Task.FromResult(new BootDeviceInfo(device, persistent));
        }

        public async Task SetBootDeviceAsync(Node node, string device, bool persistent, CancellationToken ct)
        {
            await Delay(options.ManagementDelay, time, ct);
            node.DriverInternalInfo[DeviceKey] = device;
            node.DriverInternalInfo[PersistentKey] = persistent;
        }
    }

    private sealed class FakeBoot : IBootInterface
    {
        public string Name => "fake";
        public ValidationResult Validate(Node node) => ValidationResult.Ok;
    }

    private sealed class FakeDeploy(FakeOptions options, TimeProvider time) : IDeployInterface
    {
        public string Name => "fake";
        public ValidationResult Validate(Node node) => ValidationResult.Ok;

        public async Task<StepOutcome> DeployAsync(NodeTask task, CancellationToken ct)
        {
            await Delay(options.DeployDelay, time, ct);
            return StepOutcome.Done;
        }

        public Task TearDownAsync(NodeTask task, CancellationToken ct) => Delay(options.DeployDelay, time, ct);

        public async Task<StepOutcome> CleanAsync(NodeTask task, IReadOnlyList<JsonObject>? steps, CancellationToken ct)
        {
            await Delay(options.CleanDelay, time, ct);
            return StepOutcome.Done;
        }

        public Task AdoptAsync(NodeTask task, CancellationToken ct) => Task.CompletedTask;
    }

    private sealed class FakeInspect(FakeOptions options, TimeProvider time) : IInspectInterface
    {
        public string Name => "fake";
        public ValidationResult Validate(Node node) => ValidationResult.Ok;

        public async Task<StepOutcome> InspectAsync(NodeTask task, CancellationToken ct)
        {
            await Delay(options.InspectDelay, time, ct);
            return StepOutcome.Done;
        }
    }
}
