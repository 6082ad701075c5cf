using System.Text.Json.Nodes;

namespace Whereabouts.KubeTestServer.Tests;

/// <summary>Builders for the custom objects the tests send, shaped as whereabouts writes them.</summary>
internal static class Objects
{
    public static JsonObject Pool(string name, string range = "10.0.0.0/24", string? resourceVersion = null)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (resourceVersion is not null) metadata["resourceVersion"] = resourceVersion;
        return new JsonObject
        {
            ["apiVersion"] = "whereabouts.cni.cncf.io/v1alpha1",
            ["kind"] = "IPPool",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["range"] = range, ["allocations"] = new JsonObject() },
        };
    }

    public static JsonObject Reservation(string name, string podRef = "default/pod-a") => new()
    {
        ["apiVersion"] = "whereabouts.cni.cncf.io/v1alpha1",
        ["kind"] = "OverlappingRangeIPReservation",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["containerid"] = "c1", ["podref"] = podRef, ["ifname"] = "net1" },
    };

    public static JsonObject Allocate(JsonObject pool, string offset, string podRef)
    {
        var copy = pool.DeepClone().AsObject();
        copy["spec"]!["allocations"]![offset] = new JsonObject { ["id"] = "c-" + offset, ["podref"] = podRef, ["ifname"] = "net1" };
        return copy;
    }

    public static JsonObject DeleteOptions(string? uid = null, string? resourceVersion = null)
    {
        var pre = new JsonObject();
        if (uid is not null) pre["uid"] = uid;
        if (resourceVersion is not null) pre["resourceVersion"] = resourceVersion;
        return new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["preconditions"] = pre };
    }
}
