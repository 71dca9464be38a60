using System.Text;
using Bifrost.Domain.States;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Domain.Tests;

/// <summary>
/// docs/state-machine.md is generated from <see cref="TransitionTable"/>; this test fails when they differ.
/// Regenerate with: BIFROST_WRITE_DOCS=1 dotnet test tests/Bifrost.Domain.Tests --filter Name~State_machine_doc
/// </summary>
public class StateMachineDocTests
{
    [Test]
    public void State_machine_doc_is_generated_from_the_table()
    {
        var path = Path.Combine(Repo.Root, "docs", "state-machine.md");
        var expected = Render();
        if (Environment.GetEnvironmentVariable("BIFROST_WRITE_DOCS") == "1") File.WriteAllText(path, expected);
        Assert.That(File.Exists(path), Is.True, $"{path} is missing; regenerate it (see this test's comment)");
        Assert.That(File.ReadAllText(path), Is.EqualTo(expected), "docs/state-machine.md is stale; regenerate it");
    }

    internal static string Render()
    {
        static string Id(ProvisionState s) => s.ToString();
        var sb = new StringBuilder();
        sb.AppendLine("# Provisioning state machine");
        sb.AppendLine();
        sb.AppendLine("Generated from `src/Bifrost.Domain/States/TransitionTable.cs` by `StateMachineDocTests`; do not edit by hand.");
        sb.AppendLine("Stable states (no target): " + string.Join(", ", ProvisionStates.All.Where(s => s.IsStable()).Select(s => $"`{s.ToWire()}`")) + ".");
        sb.AppendLine("Verbs come from `PUT /v1/nodes/{node}/states/provision`; `done`, `fail`, `wait`, `resume` and `error` are fired by the conductor.");
        sb.AppendLine();
        sb.AppendLine("```mermaid");
        sb.AppendLine("stateDiagram-v2");
        foreach (var s in ProvisionStates.All) sb.AppendLine($"    {Id(s)} : {s.ToWire()}");
        sb.AppendLine($"    [*] --> {Id(ProvisionState.Enroll)}");
        foreach (var r in TransitionTable.Rows) sb.AppendLine($"    {Id(r.From)} --> {Id(r.To)} : {r.On.ToWire()}");
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine("| from | event | to | why |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var r in TransitionTable.Rows)
            sb.AppendLine($"| {r.From.ToWire()} | {r.On.ToWire()} | {r.To.ToWire()} | {r.Why} |");
        return sb.ToString();
    }
}
