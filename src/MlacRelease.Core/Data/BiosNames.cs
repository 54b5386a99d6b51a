namespace MlacRelease.Core.Data;

/// <summary>
/// Name lists for the built-in corpus. First names are common US given names from the Social Security
/// Administration's popular-names lists, kept only where one sex clearly dominates their use, because a
/// neutralised biography's first name is meant to be its only gender signal and a unisex name would make the
/// harmful label partly unlearnable noise. Surnames are common US census surnames, minus any that double as a
/// first name in either list, so that a surname never looks like a gender cue.
/// </summary>
internal static class BiosNames
{
    public static readonly string[] Female =
    [
        "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen",
        "Lisa", "Nancy", "Betty", "Margaret", "Sandra", "Ashley", "Kimberly", "Emily", "Donna", "Michelle",
        "Carol", "Amanda", "Dorothy", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia",
        "Amy", "Kathleen", "Angela", "Shirley", "Anna", "Brenda", "Pamela", "Emma", "Nicole", "Helen",
        "Samantha", "Katherine", "Christine", "Debra", "Rachel", "Carolyn", "Janet", "Catherine", "Maria", "Heather",
        "Diane", "Ruth", "Julie", "Olivia", "Joyce", "Virginia", "Victoria", "Lauren", "Christina", "Joan",
        "Evelyn", "Judith", "Megan", "Andrea", "Cheryl", "Hannah", "Jacqueline", "Martha", "Gloria", "Teresa",
        "Ann", "Sara", "Madison", "Frances", "Kathryn", "Janice", "Abigail", "Alice", "Julia", "Judy",
        "Sophia", "Grace", "Denise", "Amber", "Doris", "Marilyn", "Danielle", "Beverly", "Isabella", "Theresa",
        "Diana", "Natalie", "Brittany", "Charlotte", "Marie", "Kayla", "Lori", "Ava", "Mia", "Chloe",
        "Ella", "Lily", "Madeline", "Caroline", "Allison", "Vanessa", "Rose", "Jasmine", "Tiffany", "Erica",
        "Monica", "Veronica", "Claire", "Audrey", "Leah", "Stella", "Hazel", "Violet", "Savannah", "Brooke",
        "Paige", "Gabriella", "Camila", "Penelope", "Layla", "Zoe", "Nora", "Eleanor", "Scarlett", "Lucy",
        "Naomi", "Elena", "Valentina", "Sofia", "Molly", "Jenna", "Vivian", "Melanie", "Tara", "Wendy",
        "Irene", "Lillian", "Joanne", "Sylvia", "Bonnie", "Peggy", "Norma", "Tammy", "Rita", "Sheila",
        "Paula", "Holly", "Erin", "Renee", "Yvonne", "Kristen", "Courtney", "Lindsey", "Crystal", "Alicia",
        "Tina", "Carmen", "Rosa", "Gina", "Colleen", "Miriam", "Esther", "Ruby",
    ];

    public static readonly string[] Male =
    [
        "James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas", "Christopher",
        "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Andrew", "Paul", "Joshua",
        "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Jason", "Edward", "Jeffrey", "Ryan",
        "Jacob", "Gary", "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon",
        "Benjamin", "Samuel", "Gregory", "Alexander", "Patrick", "Frank", "Raymond", "Jack", "Dennis", "Jerry",
        "Tyler", "Aaron", "Jose", "Adam", "Nathan", "Henry", "Zachary", "Douglas", "Peter", "Kyle",
        "Noah", "Ethan", "Jeremy", "Walter", "Christian", "Keith", "Roger", "Austin", "Sean", "Gerald",
        "Carl", "Harold", "Dylan", "Arthur", "Lawrence", "Bryan", "Billy", "Bruce", "Gabriel", "Joe",
        "Logan", "Albert", "Alan", "Eugene", "Russell", "Vincent", "Philip", "Bobby", "Johnny", "Bradley",
        "Roy", "Ralph", "Randy", "Louis", "Harry", "Howard", "Wayne", "Liam", "Mason", "Lucas",
        "Oliver", "Elijah", "Aiden", "Caleb", "Luke", "Isaac", "Owen", "Wyatt", "Julian", "Levi",
        "Isaiah", "Landon", "Connor", "Adrian", "Evan", "Ian", "Nolan", "Colton", "Dominic", "Leo",
        "Miles", "Xavier", "Max", "Victor", "Marcus", "Travis", "Derek", "Shane", "Troy", "Craig",
        "Todd", "Curtis", "Martin", "Glenn", "Stanley", "Leonard", "Frederick", "Marvin", "Calvin", "Herbert",
        "Clarence", "Earl", "Ernest", "Melvin", "Vernon", "Wesley", "Gordon", "Neil", "Franklin", "Jimmy",
        "Ricardo", "Manuel", "Luis", "Carlos", "Juan", "Antonio", "Miguel",
    ];

    public static readonly string[] Surnames =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Moore", "Jackson", "Perez", "Thompson", "White",
        "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "Wright",
        "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
        "Campbell", "Mitchell", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz",
        "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez",
        "Ortiz", "Cooper", "Peterson", "Bailey", "Reed", "Ramos", "Kim", "Cox", "Ward", "Richardson",
        "Watson", "Brooks", "Chavez", "Wood", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price",
        "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell",
        "Jenkins", "Perry", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher",
        "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace",
        "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina",
        "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez", "McDonald",
        "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Chen", "Freeman", "Webb", "Tucker", "Guzman",
        "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Mendez", "Silva", "Shaw", "Snyder",
        "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd",
        "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels",
        "Ferguson", "Nichols", "Stephens", "Soto", "Weaver", "Gardner", "Payne", "Grant", "Dunn",
    ];
}
