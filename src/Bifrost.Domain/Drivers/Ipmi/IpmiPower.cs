using Bifrost.Domain.Errors;
using Bifrost.Domain.Nodes;

namespace Bifrost.Domain.Drivers.Ipmi;

/// <summary>
/// The ipmi power interface (Ironic's <c>ipmitool</c> name): one Chassis Control per step, then Get Chassis Status
/// polled until the node is where it should be or the power-state-change timeout runs out. The conductor has set
/// target_power_state before calling, so the API shows the change in flight meanwhile.
/// </summary>
internal sealed class IpmiPower(IIpmiClient client, TimeProvider clock, TimeSpan pollInterval) : IPowerInterface
{
    public string Name => "ipmitool";
    public ValidationResult Validate(Node node) => IpmiHardware.ValidateInfo(node);

    public async Task<string?> GetPowerStateAsync(Node node, CancellationToken ct) =>
        await client.GetPowerOnAsync(IpmiHardware.Target(node), ct) ? PowerStates.On : PowerStates.Off;

    public async Task SetPowerStateAsync(Node node, string target, TimeSpan? timeout, CancellationToken ct)
    {
        var bmc = IpmiHardware.Target(node);
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        switch (target)
        {
            case PowerStates.On:
                await DriveAsync(bmc, ChassisAction.PowerUp, on: true, limit, ct);
                break;
            case PowerStates.Off:
                await DriveAsync(bmc, ChassisAction.PowerDown, on: false, limit, ct);
                break;
            case PowerStates.SoftOff:
                await DriveAsync(bmc, ChassisAction.SoftShutdown, on: false, limit, ct);
                break;
            case PowerStates.Rebooting:
                // As Ironic's ipmitool driver: a hard off then on, so the node really restarts from its boot device.
                await DriveAsync(bmc, ChassisAction.PowerDown, on: false, limit, ct);
                await DriveAsync(bmc, ChassisAction.PowerUp, on: true, limit, ct);
                break;
            case PowerStates.SoftRebooting:
                await DriveAsync(bmc, ChassisAction.SoftShutdown, on: false, limit, ct);
                await DriveAsync(bmc, ChassisAction.PowerUp, on: true, limit, ct);
                break;
            default:
                throw new BifrostException($"Unsupported power target '{target}'.");
        }
    }

    /// <summary>Sends <paramref name="action"/> unless the node is already there, then waits for the state.</summary>
    private async Task DriveAsync(IpmiTarget bmc, ChassisAction action, bool on, TimeSpan limit, CancellationToken ct)
    {
        if (await client.GetPowerOnAsync(bmc, ct) == on) return;
        await client.ChassisControlAsync(bmc, action, ct);

        var deadline = clock.GetUtcNow() + limit;
        while (true)
        {
            if (await client.GetPowerOnAsync(bmc, ct) == on) return;
            if (clock.GetUtcNow() >= deadline)
                throw new DriverOperationException(
                    $"{bmc.Describe()} did not reach '{(on ? PowerStates.On : PowerStates.Off)}' within " +
                    $"{limit.TotalSeconds:0.#} s after chassis control {action}.");
            await Task.Delay(pollInterval, clock, ct);
        }
    }
}
