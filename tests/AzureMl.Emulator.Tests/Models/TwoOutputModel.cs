using System.Globalization;

namespace AzureMl.Emulator.Tests.Models;

/// <summary>A service with two outputs: <c>output1</c> echoes the text with its length, <c>output2</c> upper-cases it.</summary>
internal static class TwoOutputModel
{
    public static EmulatedModel Create() => EmulatedModel.Create(
        [new EmulatedColumn("text")],
        [
            new EmulatedOutput("output1", [new EmulatedColumn("text"), new EmulatedColumn("Length", "Int32")]),
            new EmulatedOutput("output2", [new EmulatedColumn("Upper")]),
        ],
        row => [[row["text"], row["text"]!.Length.ToString(CultureInfo.InvariantCulture)], [row["text"]!.ToUpperInvariant()]]);
}
