/**
 * Small, invented-record name and address lists for synthetic people. The mix reflects the
 * region's diversity; none of it identifies anyone. Entries must stay free of tabs,
 * newlines and backslashes because they are written straight into COPY text.
 */

export const FEMALE_GIVEN_NAMES = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Ivy', 'Freya', 'Lily', 'Florence', 'Mia', 'Willow',
  'Rosie', 'Sophia', 'Isabella', 'Grace', 'Daisy', 'Sienna', 'Poppy', 'Elsie', 'Emily', 'Ella',
  'Evelyn', 'Phoebe', 'Sofia', 'Evie', 'Charlotte', 'Harper', 'Millie', 'Matilda', 'Maya', 'Ruby',
  'Aisha', 'Fatima', 'Maryam', 'Zainab', 'Hafsa', 'Amira', 'Inaaya', 'Simran', 'Priya', 'Anaya',
  'Chloe', 'Jessica', 'Hannah', 'Niamh', 'Megan', 'Zara', 'Layla', 'Hollie', 'Keira', 'Ellie',
] as const;

export const MALE_GIVEN_NAMES = [
  'Muhammad', 'Noah', 'Oliver', 'George', 'Leo', 'Arthur', 'Oscar', 'Theodore', 'Freddie', 'Theo',
  'Harry', 'Archie', 'Henry', 'Jack', 'Alfie', 'Charlie', 'Finley', 'Thomas', 'Isaac', 'Lucas',
  'Jacob', 'Ethan', 'Joshua', 'Mason', 'Riley', 'James', 'William', 'Samuel', 'Logan', 'Louie',
  'Ibrahim', 'Yusuf', 'Ayaan', 'Zayn', 'Hamza', 'Adam', 'Arjun', 'Harjot', 'Kai', 'Reuben',
  'Daniel', 'Kacper', 'Jayden', 'Tyler', 'Callum', 'Kyle', 'Aaron', 'Rhys', 'Owen', 'Dylan',
] as const;

export const FAMILY_NAMES = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Roberts',
  'Johnson', 'Lewis', 'Walker', 'Robinson', 'Wood', 'Thompson', 'White', 'Watson', 'Jackson', 'Wright',
  'Green', 'Harris', 'Cooper', 'King', 'Lee', 'Martin', 'Clarke', 'James', 'Morgan', 'Hughes',
  'Edwards', 'Hill', 'Moore', 'Clark', 'Harrison', 'Scott', 'Young', 'Morris', 'Hall', 'Ward',
  'Turner', 'Carter', 'Phillips', 'Mitchell', 'Patel', 'Adams', 'Campbell', 'Anderson', 'Allen', 'Cook',
  'Khan', 'Hussain', 'Ahmed', 'Ali', 'Begum', 'Akhtar', 'Mahmood', 'Iqbal', 'Rahman', 'Shah',
  'Singh', 'Kaur', 'Sandhu', 'Gill', 'Sharma', 'Kumar', 'Mistry', 'Chauhan', 'Okafor', 'Mensah',
  'Campbell-Reid', 'Francis', 'Grant', 'Nowak', 'Kowalski', 'Murphy', "O'Brien", 'Kelly', 'Byrne', 'Nguyen',
] as const;

export const STREET_NAMES = [
  'Church', 'Station', 'Victoria', 'Park', 'Green', 'Manor', 'Mill', 'School', 'Queens', 'Kings',
  'New', 'Grange', 'Highfield', 'Springfield', 'Windmill', 'Orchard', 'Meadow', 'Hawthorn', 'Willow', 'Oak',
  'Ash', 'Elm', 'Beech', 'Chestnut', 'Cedar', 'Albert', 'Alexandra', 'York', 'Stafford', 'Warwick',
  'Malvern', 'Severn', 'Avon', 'Wrekin', 'Canal', 'Forge', 'Foundry', 'Colliery', 'Priory', 'Abbey',
] as const;

export const STREET_TYPES = ['Road', 'Street', 'Lane', 'Avenue', 'Close', 'Drive', 'Grove', 'Way', 'Crescent', 'Place'] as const;

export const PRACTICE_NAME_STEMS = [
  'Riverside', 'Parkview', 'Hillside', 'Woodlands', 'Meadowbank', 'Oakfield', 'Northfield', 'Southgate',
  'Brookside', 'Castle', 'Fairway', 'Greenfields', 'Lakeside', 'Millbrook', 'Rosewood', 'Station',
  'Victoria', 'Westgate', 'Eastgate', 'Highfield', 'Cedar', 'Beacon', 'Canalside', 'Priory',
] as const;

export const PRACTICE_NAME_KINDS = ['Surgery', 'Medical Centre', 'Health Centre', 'Medical Practice', 'Family Practice'] as const;
