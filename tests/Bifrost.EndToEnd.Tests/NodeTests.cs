namespace Bifrost.EndToEnd.Tests;

/// <summary>node create / list / show / set / unset / validate through the real CLI (IRONIC-API.md §2, §5).</summary>
[Category("EndToEnd")]
public sealed class NodeTests : CliFixture
{
    private static readonly string[] AllInterfaces =
        ["bios", "boot", "console", "deploy", "inspect", "management", "network", "power", "raid", "rescue", "storage"];

    [Test]
    public async Task Create_fake_hardware_node_with_uuid_name_properties_extra_and_resource_class()
    {
        var uuid = Guid.NewGuid().ToString();
        var created = await JsonAsync("node", "create", "--driver", "fake-hardware", "--uuid", uuid, "--name", "fake-full",
            "--property", "cpus=4", "--property", "memory_mb=8192", "--extra", "rack=r1", "--resource-class", "baremetal.small");

        Assert.Multiple(() =>
        {
            Assert.That(Str(created, "uuid"), Is.EqualTo(uuid));
            Assert.That(Str(created, "name"), Is.EqualTo("fake-full"));
            Assert.That(Str(created, "driver"), Is.EqualTo("fake-hardware"));
            Assert.That(created.GetProperty("properties").GetProperty("cpus").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(created.GetProperty("properties").GetProperty("cpus").GetInt32(), Is.EqualTo(4));
            Assert.That(created.GetProperty("properties").GetProperty("memory_mb").GetInt32(), Is.EqualTo(8192));
            Assert.That(Str(created.GetProperty("extra"), "rack"), Is.EqualTo("r1"));
            Assert.That(Str(created, "resource_class"), Is.EqualTo("baremetal.small"));
            Assert.That(Str(created, "provision_state"), Is.EqualTo("enroll"));
            Assert.That(Str(created, "power_state"), Is.Null, "fake power is null until the first power action");
            Assert.That(created.GetProperty("maintenance").GetBoolean(), Is.False);
            Assert.That(Str(created, "boot_interface"), Is.EqualTo("fake"));
            Assert.That(Str(created, "deploy_interface"), Is.EqualTo("fake"));
            Assert.That(Str(created, "network_interface"), Is.EqualTo("noop"));
        });

        var byUuid = await ShowNodeAsync(uuid);
        Assert.That(Str(byUuid, "name"), Is.EqualTo("fake-full"));
        Assert.That(byUuid.GetProperty("properties").GetProperty("cpus").GetInt32(), Is.EqualTo(4));

        var byName = await JsonAsync("node", "show", "fake-full", "--fields", "uuid", "name", "properties");
        Assert.That(byName.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "uuid", "name", "properties" }));
        Assert.That(Str(byName, "uuid"), Is.EqualTo(uuid));
    }

    [Test]
    public async Task List_plain_long_and_with_fields()
    {
        var uuid = await CreateNodeAsync("--driver", "fake-hardware", "--name", "list-me", "--property", "cpus=2");

        var plain = await JsonAsync("node", "list");
        var row = plain.EnumerateArray().Single(r => Str(r, "UUID") == uuid);
        Assert.That(row.EnumerateObject().Select(p => p.Name),
            Is.EqualTo(new[] { "UUID", "Name", "Instance UUID", "Power State", "Provisioning State", "Maintenance" }));
        Assert.That(Str(row, "Name"), Is.EqualTo("list-me"));
        Assert.That(Str(row, "Provisioning State"), Is.EqualTo("enroll"));
        Assert.That(row.GetProperty("Maintenance").GetBoolean(), Is.False);

        var longRows = await JsonAsync("node", "list", "--long");
        var longRow = longRows.EnumerateArray().Single(r => Str(r, "UUID") == uuid);
        Assert.That(Str(longRow, "Driver"), Is.EqualTo("fake-hardware"));
        Assert.That(longRow.GetProperty("Properties").GetProperty("cpus").GetInt32(), Is.EqualTo(2));
        Assert.That(Str(longRow, "Deploy Interface"), Is.EqualTo("fake"));

        var fields = await JsonAsync("node", "list", "--fields", "uuid", "name", "provision_state");
        var fieldRow = fields.EnumerateArray().Single(r => Str(r, "UUID") == uuid);
        Assert.That(fieldRow.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "UUID", "Name", "Provisioning State" }));
        Assert.That(Str(fieldRow, "Name"), Is.EqualTo("list-me"));
        Assert.That(Str(fieldRow, "Provisioning State"), Is.EqualTo("enroll"));
    }

    [Test]
    public async Task List_filters_by_provision_state_maintenance_and_driver()
    {
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "filter-enroll");
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "filter-managed");
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "filter-maint");
        await CreateNodeAsync("--driver", "ipmi", "--name", "filter-ipmi", "--driver-info", "ipmi_address=192.0.2.11");
        await OkAsync("node", "manage", "filter-managed", "--wait", "60");
        await OkAsync("node", "maintenance", "set", "filter-maint");

        var managed = Column(await JsonAsync("node", "list", "--provision-state", "manageable"), "Name");
        Assert.That(managed, Does.Contain("filter-managed"));
        Assert.That(managed, Has.None.EqualTo("filter-enroll").And.None.EqualTo("filter-maint").And.None.EqualTo("filter-ipmi"));

        var inMaintenance = await JsonAsync("node", "list", "--maintenance");
        Assert.That(Column(inMaintenance, "Name"), Does.Contain("filter-maint"));
        Assert.That(inMaintenance.EnumerateArray().Select(r => r.GetProperty("Maintenance").GetBoolean()), Has.All.True);

        var ipmi = Column(await JsonAsync("node", "list", "--driver", "ipmi"), "Name");
        Assert.That(ipmi, Does.Contain("filter-ipmi"));
        Assert.That(ipmi, Has.None.EqualTo("filter-enroll").And.None.EqualTo("filter-managed").And.None.EqualTo("filter-maint"));

        var enrolledFake = Column(await JsonAsync(
            "node", "list", "--driver", "fake-hardware", "--provision-state", "enroll", "--no-maintenance"), "Name");
        Assert.That(enrolledFake, Does.Contain("filter-enroll"));
        Assert.That(enrolledFake, Has.None.EqualTo("filter-maint").And.None.EqualTo("filter-managed").And.None.EqualTo("filter-ipmi"));
    }

    [Test]
    public async Task Set_then_unset_name_properties_extra_driver_info_and_instance_info()
    {
        var uuid = await CreateNodeAsync("--driver", "fake-hardware", "--name", "set-me");
        await OkAsync("node", "set", "set-me", "--name", "set-renamed", "--property", "cpus=4", "--property", "local_gb=10",
            "--extra", "note=hi", "--driver-info", "deploy_kernel=http://192.0.2.1/k", "--instance-info",
            "image_source=http://192.0.2.1/img.qcow2", "--resource-class", "rc-set");

        var set = await ShowNodeAsync(uuid);
        Assert.Multiple(() =>
        {
            Assert.That(Str(set, "name"), Is.EqualTo("set-renamed"));
            Assert.That(set.GetProperty("properties").GetProperty("cpus").ValueKind, Is.EqualTo(JsonValueKind.Number),
                "cpus=4 must arrive as the number 4");
            Assert.That(set.GetProperty("properties").GetProperty("cpus").GetInt32(), Is.EqualTo(4));
            Assert.That(set.GetProperty("properties").GetProperty("local_gb").GetInt32(), Is.EqualTo(10));
            Assert.That(Str(set.GetProperty("extra"), "note"), Is.EqualTo("hi"));
            Assert.That(Str(set.GetProperty("driver_info"), "deploy_kernel"), Is.EqualTo("http://192.0.2.1/k"));
            Assert.That(Str(set.GetProperty("instance_info"), "image_source"), Is.EqualTo("http://192.0.2.1/img.qcow2"));
            Assert.That(Str(set, "resource_class"), Is.EqualTo("rc-set"));
            Assert.That(Str(set, "updated_at"), Is.Not.Null);
        });
        await FailsAsync("Node set-me could not be found. (HTTP 404)", "node", "show", "set-me");

        await OkAsync("node", "unset", "set-renamed", "--property", "cpus", "--extra", "note", "--driver-info", "deploy_kernel",
            "--instance-info", "image_source", "--resource-class");
        await OkAsync("node", "unset", uuid, "--name");

        var unset = await ShowNodeAsync(uuid);
        Assert.Multiple(() =>
        {
            Assert.That(Str(unset, "name"), Is.Null);
            Assert.That(unset.GetProperty("properties").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "local_gb" }));
            Assert.That(unset.GetProperty("extra").EnumerateObject(), Is.Empty);
            Assert.That(unset.GetProperty("driver_info").EnumerateObject(), Is.Empty);
            Assert.That(unset.GetProperty("instance_info").EnumerateObject(), Is.Empty);
            Assert.That(Str(unset, "resource_class"), Is.Null);
        });
    }

    [Test]
    public async Task Validate_fake_hardware_passes_every_interface()
    {
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "validate-fake");
        var rows = await JsonAsync("node", "validate", "validate-fake");
        Assert.That(Column(rows, "Interface"), Is.EqualTo(AllInterfaces), "sorted by interface");
        Assert.That(rows.EnumerateArray().Select(r => r.GetProperty("Result").GetBoolean()), Has.All.True);
    }

    [Test]
    public async Task Validate_ipmi_without_image_source_fails_deploy_and_the_unsupported_interfaces()
    {
        var uuid = await CreateNodeAsync("--driver", "ipmi", "--name", "validate-ipmi",
            "--driver-info", "ipmi_address=192.0.2.12", "--driver-info", "ipmi_username=admin");
        var rows = await JsonAsync("node", "validate", "validate-ipmi");
        var byInterface = rows.EnumerateArray().ToDictionary(r => Str(r, "Interface")!);
        Assert.That(byInterface.Keys, Is.EqualTo(AllInterfaces));

        Assert.Multiple(() =>
        {
            // inspect: the agent inspect interface (issue 5) needs nothing but power, so it validates.
            foreach (var ok in new[] { "power", "management", "boot", "network", "storage", "inspect" })
                Assert.That(byInterface[ok].GetProperty("Result").GetBoolean(), Is.True, ok);

            Assert.That(byInterface["deploy"].GetProperty("Result").GetBoolean(), Is.False);
            Assert.That(Str(byInterface["deploy"], "Reason"), Is.EqualTo(
                $"Cannot validate image information for node {uuid} because one or more parameters are missing from " +
                "its instance_info and insufficient information is present to boot from a remote volume. " +
                "Missing are: ['image_source']"));

            foreach (var unsupported in new[] { "bios", "console", "raid", "rescue" })
            {
                Assert.That(byInterface[unsupported].GetProperty("Result").GetBoolean(), Is.False, unsupported);
                Assert.That(Str(byInterface[unsupported], "Reason"),
                    Is.EqualTo($"Driver ipmi does not support {unsupported} (disabled or not implemented)."));
            }
        });
    }
}
