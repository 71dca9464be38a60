using Bifrost.Protocols.Ipxe;

namespace Bifrost.Domain.Boot;

/// <summary>Renders a <see cref="BootPlan"/> as the iPXE script served at <c>/boot/&lt;mac&gt;.ipxe</c>.</summary>
public static class BootScripts
{
    /// <summary>Seconds an error message stays on the console before iPXE hands back to the firmware.</summary>
    public const int ErrorPauseSeconds = 10;

    public static IpxeScript Render(BootPlan plan)
    {
        var script = new IpxeScript();
        switch (plan.Action)
        {
            case BootAction.DeployRamdisk or BootAction.DiscoveryRamdisk:
                // Absolute paths resolve against the URL this script came from: no host name to get wrong.
                script.Echo($"Bifrost: {plan.Summary}")
                    .Kernel($"/ramdisk/{plan.Kernel}", plan.KernelArgs)
                    .Initrd($"/ramdisk/{plan.Initrd}")
                    .Boot();
                break;
            case BootAction.LocalDisk when plan.Firmware == BootFirmware.Bios:
                script.Echo($"Bifrost: {plan.Summary}").SanbootLocalDisk();
                break;
            case BootAction.LocalDisk:
                // UEFI: leaving iPXE returns to the boot manager, which boots the next entry (the installed OS);
                // sanboot of a local disk is a BIOS int 13h idea.
                script.Echo($"Bifrost: {plan.Summary}").Exit();
                break;
            case BootAction.Exit:
                script.Echo($"Bifrost: {plan.Summary}").Exit();
                break;
            case BootAction.Error:
                // No shell: an unattended node would sit at a prompt forever. Pause so a console watcher can read it.
                script.Echo($"Bifrost: cannot boot this node: {plan.Error}")
                    .Echo($"Bifrost: {plan.Reason}; returning to the firmware in {ErrorPauseSeconds} s")
                    .Sleep(ErrorPauseSeconds)
                    .Exit();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(plan), plan.Action, "unknown boot action");
        }
        return script;
    }
}
