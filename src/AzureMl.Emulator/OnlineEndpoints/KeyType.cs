namespace AzureMl.Emulator;

/// <summary>Which of an online endpoint's two keys an operation acts on.</summary>
public enum KeyType
{
    /// <summary>The primary key.</summary>
    Primary,

    /// <summary>The secondary key.</summary>
    Secondary,
}
