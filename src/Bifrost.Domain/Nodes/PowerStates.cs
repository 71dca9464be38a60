namespace Bifrost.Domain.Nodes;

/// <summary>Power states and power API targets, spelled on the wire as Ironic spells them.</summary>
public static class PowerStates
{
    public const string On = "power on";
    public const string Off = "power off";
    public const string Error = "error";

    // Targets accepted by PUT /v1/nodes/{n}/states/power besides On and Off.
    public const string Rebooting = "rebooting";
    public const string SoftOff = "soft power off";
    public const string SoftRebooting = "soft rebooting";

    public static readonly IReadOnlyList<string> Targets = [On, Off, Rebooting, SoftOff, SoftRebooting];

    public static bool IsTarget(string? value) => value is not null && Targets.Contains(value);

    /// <summary>The power state a target leaves the node in (reboot ends powered on, soft off ends off).</summary>
    public static string ResultOf(string target) => target switch
    {
        Off or SoftOff => Off,
        _ => On,
    };
}
