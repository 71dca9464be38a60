using System.Text.Json.Nodes;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Drivers;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Tests;

/// <summary>
/// A hardware type whose outcomes a test scripts: finish, wait for a call-back, fail, or block until released.
/// </summary>
public sealed class Script
{
    public StepOutcome Deploy { get; set; } = StepOutcome.Done;
    public StepOutcome Clean { get; set; } = StepOutcome.Done;
    public StepOutcome Inspect { get; set; } = StepOutcome.Done;
    public Exception? DeployError { get; set; }
    public Exception? TearDownError { get; set; }
    public Exception? PowerError { get; set; }
    public string? PowerReading { get; set; } = PowerStates.Off;
    /// <summary>When set, deploy waits for it: lets a test look at a node while its lock is held.</summary>
    public TaskCompletionSource? DeployGate { get; set; }
    public List<string> Calls { get; } = [];

    public HardwareType Build() => new()
    {
        Name = "scripted",
        Power = new Power(this),
        Management = new Management(),
        Boot = new Boot(),
        Deploy = new Deploys(this),
        Inspect = new Inspects(this),
        Bios = new NoopInterface("fake"),
        Console = new NoopInterface("fake"),
        Network = new NoopInterface("noop"),
        Raid = new NoopInterface("fake"),
        Rescue = new NoopInterface("fake"),
        Storage = new NoopInterface("noop"),
        Vendor = new NoopInterface("fake"),
    };

    private sealed class Power(Script s) : IPowerInterface
    {
        public string Name => "scripted";
        public ValidationResult Validate(Node node) =>
            node.DriverInfo["broken"] is null ? ValidationResult.Ok : ValidationResult.Fail("driver_info says broken");

        public Task<string?> GetPowerStateAsync(Node node, CancellationToken ct)
        {
            s.Calls.Add("power get");
            return s.PowerError is { } e ? Task.FromException<string?>(e) : Task.FromResult(s.PowerReading);
        }

        public Task SetPowerStateAsync(Node node, string target, TimeSpan? timeout, CancellationToken ct)
        {
            s.Calls.Add($"power {target}");
            return s.PowerError is { } e ? Task.FromException(e) : Task.CompletedTask;
        }
    }

    private sealed class Management : IManagementInterface
    {
        public string Name => "scripted";
        public ValidationResult Validate(Node node) => ValidationResult.Ok;
        public IReadOnlyList<string> SupportedBootDevices(Node node) => ["pxe", "disk"];
        public Task<BootDeviceInfo> GetBootDeviceAsync(Node node, CancellationToken ct) =>
            Task.FromResult(new BootDeviceInfo(null, null));
        public Task SetBootDeviceAsync(Node node, string device, bool persistent, CancellationToken ct) => Task.CompletedTask;
    }

    private sealed class Boot : IBootInterface
    {
        public string Name => "scripted";
        public ValidationResult Validate(Node node) => ValidationResult.Ok;
    }

    private sealed class Deploys(Script s) : IDeployInterface
    {
        public string Name => "scripted";
        public ValidationResult Validate(Node node) => ValidationResult.Ok;

        public async Task<StepOutcome> DeployAsync(NodeTask task, CancellationToken ct)
        {
            s.Calls.Add("deploy");
            if (s.DeployGate is { } gate) await gate.Task.WaitAsync(ct);
            if (s.DeployError is { } e) throw e;
            return s.Deploy;
        }

        public Task TearDownAsync(NodeTask task, CancellationToken ct)
        {
            s.Calls.Add("tear down");
            return s.TearDownError is { } e ? Task.FromException(e) : Task.CompletedTask;
        }

        public Task<StepOutcome> CleanAsync(NodeTask task, IReadOnlyList<JsonObject>? steps, CancellationToken ct)
        {
            s.Calls.Add(steps is null ? "clean automated" : $"clean manual {steps.Count}");
            return Task.FromResult(s.Clean);
        }

        public Task AdoptAsync(NodeTask task, CancellationToken ct)
        {
            s.Calls.Add("adopt");
            return Task.CompletedTask;
        }
    }

    private sealed class Inspects(Script s) : IInspectInterface
    {
        public string Name => "scripted";
        public ValidationResult Validate(Node node) => ValidationResult.Ok;

        public Task<StepOutcome> InspectAsync(NodeTask task, CancellationToken ct)
        {
            s.Calls.Add("inspect");
            return Task.FromResult(s.Inspect);
        }
    }
}
